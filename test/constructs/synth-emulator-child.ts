// The emulator in its own process: synth blocks its thread in spawnSync while the worker calls IAM, so an
// emulator on the test's own event loop could never answer. Driven over IPC by synth-emulator.ts.
import { startEmulator } from '../../src/emulator';
import type { RunningEmulator } from '../../src/emulator';
import { synthWorld } from './synth-world';

type Message = { id: number; op: 'metrics' | 'resetMetrics' | 'setJobs' | 'setFaults' | 'close'; arg?: unknown };

let emulator: RunningEmulator;

process.on('message', async (message: Message) => {
  let result: unknown;
  switch (message.op) {
    case 'metrics':
      result = emulator.metrics();
      break;
    case 'resetMetrics':
      emulator.resetMetrics();
      break;
    case 'setJobs':
      emulator.setJobs(message.arg as never);
      break;
    case 'setFaults':
      emulator.setFaults(message.arg as never);
      break;
    case 'close':
      await emulator.close();
      process.send!({ id: message.id, result: null }, () => process.exit(0));
      return;
  }
  process.send!({ id: message.id, result });
});

startEmulator({ world: synthWorld(), seed: 7 }).then(
  (running) => {
    emulator = running;
    process.send!({ ready: running.endpoint });
  },
  (error: unknown) => {
    process.stderr.write(`emulator failed to start: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
