import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';

/**
 * `access-advisor emulator [--world FILE]`: serves the world on 127.0.0.1 until SIGINT/SIGTERM; without --world, the
 * demo world the package ships (examples/world.json, also in the published tarball).
 * Prints exactly `listening on http://127.0.0.1:PORT` on stdout once ready.
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
      const emulator = await startEmulator({
        world: flags.world ?? BUNDLED_WORLD,
        port: flags.port,
        seed: flags.seed,
        faults,
        jobs: flags.jobDuration !== undefined ? { durationMs: flags.jobDuration } : {},
      });
      process.stdout.write(`listening on ${emulator.endpoint}\n`);
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
