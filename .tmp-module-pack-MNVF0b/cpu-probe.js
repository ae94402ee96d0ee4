process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeSync(2, '\nACCESS_ADVISOR_BENCH_CPU_MS ' + (u.user + u.system) / 1000 + '\n'); });
