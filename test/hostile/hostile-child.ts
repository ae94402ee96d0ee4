// Hostile servers in their own process: synth blocks its thread in spawnSync while the worker calls the endpoint, so
// a server on the test's own event loop could never answer. Prints {mode: endpoint} once listening; exits on 'close'.
import { startHostileServer, type HostileMode, type HostileServer } from './hostile-server';

const modes = JSON.parse(process.argv[2] ?? '[]') as HostileMode[];
const servers: HostileServer[] = [];

process.on('message', async () => {
  for (const server of servers) await server.close();
  process.exit(0);
});

(async () => {
  const endpoints: Record<string, string> = {};
  for (const mode of modes) {
    const server = await startHostileServer(mode);
    servers.push(server);
    endpoints[mode] = server.endpoint;
  }
  process.send!({ ready: endpoints });
})().catch((error: unknown) => {
  process.stderr.write(`hostile servers failed to start: ${(error as Error).stack}\n`);
  process.exit(1);
});
