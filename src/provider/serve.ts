import { performance } from 'node:perf_hooks';
import { bind, checkEnvironment, HandshakeError, handshakeLine, portCandidates, transportFor } from './handshake';
import type { ProviderService } from './provider-service';
import { buildServer, setRpcMarks } from './server';

/**
 * The provider process Terraform starts (through the launcher `access-advisor provider install` writes). stdout
 * carries exactly the handshake line; anything else goes to stderr, which Terraform keeps in its log. `parent` is
 * the process id of Terraform, read before anything loaded.
 */
/** How long a graceful shutdown may wait for calls still running before the process ends anyway. */
const SHUTDOWN_GRACE_MS = 1000;

export async function serve(parent: number): Promise<void> {
  const startMarks: [name: string, at: number, cpuMs: number][] = [];
  // The start's steps for the bench's breakdown (ACCESS_ADVISOR_PHASES), kept here until the phase log loads with
  // the service, after the handshake.
  const marking = Boolean(process.env.ACCESS_ADVISOR_PHASES);
  const step = (name: string) => {
    if (!marking) return;
    const cpu = process.cpuUsage();
    startMarks.push([name, performance.timeOrigin + performance.now(), (cpu.user + cpu.system) / 1000]);
  };
  step('start:main');
  // Nothing but the handshake may reach stdout: a stray console.log from a dependency would break it.
  console.log = console.info = console.debug = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
  try {
    checkEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof HandshakeError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  // Loaded after the handshake (Terraform waits for the handshake line on every run), or by an earlier first call.
  let service: ProviderService | undefined;
  // For the bench's phase marks, which load with the service.
  const handshake: { at?: number } = {};
  const provider = (): ProviderService => {
    if (service) return service;
    const loaded = require('./provider-service') as typeof import('./provider-service');
    setRpcMarks(loaded.rpcMarks);
    for (const [name, at, cpuMs] of startMarks) loaded.rpcMarks?.(name, `cpu ${cpuMs.toFixed(1)}`, at);
    if (handshake.at !== undefined) loaded.rpcMarks?.('handshake-written', undefined, handshake.at);
    return (service = new loaded.ProviderService());
  };
  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    service?.close();
    server.forceShutdown();
    process.exit(code);
  };
  // Shutdown: answer it, then end. A graceful server shutdown lets the Shutdown reply (and any call still running)
  // reach Terraform first; a forced one reset the stream, so Terraform got an error in place of the reply and saw
  // the process end only after node's teardown. The timer bounds a call that never ends.
  const shutdown = (): void => {
    server.tryShutdown(() => exit(0));
    setTimeout(() => exit(0), SHUTDOWN_GRACE_MS).unref();
  };
  const server = buildServer(provider, { onShutdown: shutdown });
  step('start:server-built');
  const transport = await transportFor(process.env);
  step('start:certificate');
  let port: number | undefined;
  let lastError: unknown;
  for (const candidate of portCandidates(process.env)) {
    try {
      port = await bind(server, candidate, transport.credentials);
      break;
    } catch (error) {
      lastError = error;
    }
  }
  if (port === undefined) {
    process.stderr.write(`accessadvisor provider: could not listen on 127.0.0.1: ${lastError instanceof Error ? lastError.message : String(lastError)}\n`);
    process.exit(1);
  }
  // Like go-plugin's servers: Ctrl-C reaches the whole process group, but Terraform decides (StopProvider, then
  // Shutdown or a kill); the provider must not die under a Terraform that is still talking to it.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => exit(0));
  // Terraform gone without a Shutdown (killed, or a second Ctrl-C): its child must not outlive it. A write to the
  // closed stdout fails, and the parent process id changes when the parent exits; either ends the provider.
  process.stdout.on('error', () => exit(0));
  setInterval(() => {
    if (process.ppid !== parent) exit(0);
  }, 500).unref();
  step('start:bound');
  process.stdout.write(handshakeLine(port, transport.certificateField));
  handshake.at = performance.timeOrigin + performance.now();
  // Terraform's first call comes a few milliseconds after the handshake and needs the service: load it now.
  setImmediate(() => void provider());
}
