import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { CliInputError } from '../exit-codes';

/**
 * `access-advisor emulator [--world FILE]`: serves the world on 127.0.0.1 until SIGINT/SIGTERM; without --world, the
 * demo world the package ships (examples/world.json, also in the published tarball).
 * Prints `listening on http://127.0.0.1:PORT` as the first line on stdout once ready, then which world it serves
 * and the environment to reach it with.
 */
export const BUNDLED_WORLD = join(__dirname, '..', '..', '..', 'examples', 'world.json');

const nonNegative = (name: string, max = Infinity) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0, got "${value}".`);
  if (n > max) throw new InvalidArgumentError(`${name} must be at most ${max}, got "${value}".`);
  return n;
};
// The emulator's own bounds (src/emulator/types.ts), repeated so that --help stays free of the emulator's imports.
const MAX_DURATION_MS = 86_400_000;
const MAX_LATENCY_MS = 600_000;
const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got "${value}".`);
  return n;
};
const rate = (name: string) => (value: string) => {
  const n = nonNegative(name)(value);
  if (n > 1) throw new InvalidArgumentError(`${name} must be between 0 and 1, got "${value}".`);
  return n;
};

interface EmulatorFlags {
  world?: string;
  port?: number;
  seed?: number;
  jobDuration?: number;
  throttle?: number;
  throttleBurst?: number;
  serverErrorRate?: number;
  dropRate?: number;
  latency?: number;
}

export function register(program: Command): void {
  program
    .command('emulator')
    .description('Run the local IAM access-advisor emulator on 127.0.0.1, serving a world file (default: the bundled demo world).')
    .option('--world <file>', 'world file (JSON, see schema/world.schema.json); default: the demo world shipped with the package (examples/world.json)')
    .option('--port <n>', 'port to listen on (0 = any free port)', integer('--port', 0, 65535))
    .option('--seed <n>', 'seed for faults, latency, job durations and ids', integer('--seed', 0, 2 ** 32 - 1))
    .option('--job-duration <ms>', `how long each report job stays IN_PROGRESS (at most ${MAX_DURATION_MS})`, nonNegative('--job-duration', MAX_DURATION_MS))
    .option('--throttle <rps>', 'token-bucket throttling per account, requests per second', nonNegative('--throttle'))
    .option('--throttle-burst <n>', 'token-bucket size for --throttle (default: max(1, rps))', integer('--throttle-burst', 1, 1_000_000))
    .option('--server-error-rate <r>', 'share of requests answered 500 ServiceFailure (0..1)', rate('--server-error-rate'))
    .option('--drop-rate <r>', 'share of connections dropped without a response (0..1)', rate('--drop-rate'))
    .option('--latency <ms>', `latency added to every request (at most ${MAX_LATENCY_MS})`, nonNegative('--latency', MAX_LATENCY_MS))
    .action(async (flags: EmulatorFlags) => {
      const faults = {
        ...(flags.throttle !== undefined
          ? { throttle: flags.throttle > 0 ? { requestsPerSecond: flags.throttle, burst: flags.throttleBurst ?? Math.max(1, Math.ceil(flags.throttle)) } : null }
          : {}),
        ...(flags.serverErrorRate !== undefined ? { serverErrorRate: flags.serverErrorRate } : {}),
        ...(flags.dropRate !== undefined ? { dropConnectionRate: flags.dropRate } : {}),
        ...(flags.latency !== undefined ? { latencyMs: flags.latency } : {}),
      };
      // Loaded here, not at the top: `access-advisor --help` must not pay for the emulator and the catalog.
      const { startEmulator } = require('../../emulator') as typeof import('../../emulator');
      const world = flags.world ?? BUNDLED_WORLD;
      const emulator = await startEmulator({
        world,
        port: flags.port,
        seed: flags.seed,
        faults,
        jobs: flags.jobDuration !== undefined ? { durationMs: flags.jobDuration } : {},
      }).catch((error: unknown) => {
        throw listenError(error, flags.port ?? 0) ?? error;
      });
      process.stdout.write(`listening on ${emulator.endpoint}\n${startNotes(world, flags.world === undefined, emulator.endpoint)}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void emulator.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

/** A port that cannot be had, as one line naming the port and what to do. */
function listenError(error: unknown, port: number): CliInputError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new CliInputError(`--port ${port}: 127.0.0.1:${port} is already in use (an emulator still running?); stop it, choose another port, or --port 0 for any free one`);
  }
  if (code === 'EACCES') return new CliInputError(`--port ${port}: not allowed to listen on 127.0.0.1:${port} (ports below 1024 need privileges); choose a port from 1024 to 65535`);
  return undefined;
}

/**
 * What a user needs next, after the `listening on` line: the world served and the environment to reach it. The
 * bundled world's keys are AWS's documentation examples, so they are printed in full; of a world file of the user's
 * own only the access key id is printed (its secret stays in the file).
 */
function startNotes(world: string, bundled: boolean, endpoint: string): string {
  let key: { id?: unknown; secret?: unknown; owner?: unknown } | undefined;
  try {
    key = (JSON.parse(readFileSync(world, 'utf8')) as { accessKeys?: { id?: unknown; secret?: unknown; owner?: unknown }[] }).accessKeys?.[0];
  } catch {
    key = undefined; // already validated by the emulator; nothing more to say if it cannot be read again
  }
  const lines = [`world: ${world}${bundled ? ' (the bundled demo world)' : ''}`];
  if (key && typeof key.id === 'string') {
    const secret = bundled && typeof key.secret === 'string' ? key.secret : '<its secret in the world file>';
    lines.push(
      `credentials: ${key.id}${typeof key.owner === 'string' ? ` (${key.owner})` : ''}, for this emulator only:`,
      `  export AWS_ENDPOINT_URL=${endpoint} AWS_ACCESS_KEY_ID=${key.id} AWS_SECRET_ACCESS_KEY=${secret}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
