/**
 * Bench-only child process that hosts emulators, so that the client under measurement (memory, CPU) runs apart
 * from the server. It speaks JSON lines: one command per line on stdin, one answer per line on stdout.
 *   {"id":1,"op":"start","shape":{principals,services},"seed":7,"jobs":{…},"faults":{…}} → {"id":1,"ok":true,"value":{"handle":"e1","endpoint":"http://127.0.0.1:…"}}
 *   {"id":2,"op":"metrics","handle":"e1"} → {"id":2,"ok":true,"value":EmulatorMetrics}
 *   {"id":3,"op":"close","handle":"e1"}   → {"id":3,"ok":true}
 * The metrics never go through the emulator's IAM port.
 */
import * as readline from 'node:readline';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { FaultSettings, JobSettings, World } from '../../src/emulator/types';
import { recordServerRequests } from './request-timeline';
import { scenarioWorld, type WorldShape } from './world';

interface Command {
  id: number;
  op: 'start' | 'metrics' | 'close' | 'usage' | 'timeline';
  handle?: string;
  shape?: WorldShape;
  /** A whole world instead of a shape (the multi-account sweep bench). */
  world?: World;
  seed?: number;
  jobs?: Partial<JobSettings>;
  faults?: Partial<FaultSettings>;
}

/** BENCH_REQUEST_TIMELINE=1: every request served is recorded (bench/fanout-timeline.ts reads them with 'timeline'). */
const timeline = process.env['BENCH_REQUEST_TIMELINE'] === '1' ? recordServerRequests() : undefined;

const running = new Map<string, RunningEmulator>();
const worlds = new Map<string, ReturnType<typeof scenarioWorld>>();
let next = 0;

function emulator(handle: string | undefined): RunningEmulator {
  const found = handle ? running.get(handle) : undefined;
  if (!found) throw new Error(`no running emulator ${handle}`);
  return found;
}

async function execute(cmd: Command): Promise<unknown> {
  switch (cmd.op) {
    case 'start': {
      if (!cmd.shape && !cmd.world) throw new Error('start needs a shape or a world');
      let world = cmd.world;
      if (!world) {
        const key = `${cmd.shape!.principals}x${cmd.shape!.services}`;
        world = worlds.get(key) ?? scenarioWorld(cmd.shape!);
        worlds.set(key, world);
      }
      const emu = await startEmulator({ world, port: 0, seed: cmd.seed ?? 1, jobs: cmd.jobs ?? {}, faults: cmd.faults ?? {} });
      const handle = `e${++next}`;
      running.set(handle, emu);
      return { handle, endpoint: emu.endpoint };
    }
    case 'metrics':
      return emulator(cmd.handle).metrics();
    case 'close': {
      const emu = emulator(cmd.handle);
      running.delete(cmd.handle!);
      await emu.close();
      return null;
    }
    case 'usage':
      return { rssBytes: process.memoryUsage().rss, cpu: process.cpuUsage() };
    case 'timeline':
      // The requests recorded since the last call (none unless the host was started with BENCH_REQUEST_TIMELINE=1).
      return timeline ? timeline.splice(0) : [];
    default:
      throw new Error(`unknown op ${(cmd as { op: string }).op}`);
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let cmd: Command;
  try {
    cmd = JSON.parse(line) as Command;
  } catch {
    process.stdout.write(`${JSON.stringify({ id: -1, ok: false, error: `not JSON: ${line.slice(0, 80)}` })}\n`);
    return;
  }
  execute(cmd).then(
    (value) => process.stdout.write(`${JSON.stringify({ id: cmd.id, ok: true, value })}\n`),
    (error: Error) => process.stdout.write(`${JSON.stringify({ id: cmd.id, ok: false, error: error.message })}\n`),
  );
});
lines.on('close', () => {
  void Promise.all([...running.values()].map((e) => e.close())).finally(() => process.exit(0));
});
