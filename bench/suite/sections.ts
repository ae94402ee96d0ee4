/**
 * The benchmarks that are not fan-out, each run in a fresh child process by bench/run.ts (so that, e.g., the
 * catalog load is measured cold and one section's heap does not weigh on the next). The child prints one JSON line
 * on stdout: `{"ok":true,"value":…}` or `{"ok":false,"error":"…"}`.
 *
 *   node -r ts-node/register/transpile-only bench/suite/sections.ts <tighten|cli|synth-cached|synth-uncached|html|phases|provider> [args]
 */

import type * as CliBench from '../cli';
import type * as HtmlBench from '../html';
import type * as PhasesBench from '../phases';
import type * as ProviderBench from '../provider';
import type * as SynthBench from '../synth';
import type * as SynthStartupBench from '../synth-startup';
import type * as TightenBench from '../tighten';

// Loaded on demand, so that a section whose module fails to load does not take the others with it.
const load = {
  tighten: () => require('../tighten') as typeof TightenBench,
  cli: () => require('../cli') as typeof CliBench,
  synth: () => require('../synth') as typeof SynthBench,
  synthStartup: () => require('../synth-startup') as typeof SynthStartupBench,
  html: () => require('../html') as typeof HtmlBench,
  phases: () => require('../phases') as typeof PhasesBench,
  provider: () => require('../provider') as typeof ProviderBench,
};

export type SectionName = 'tighten' | 'cli' | 'synth-cached' | 'synth-startup' | 'synth-uncached' | 'html' | 'phases' | 'provider';

async function runSection(name: string, args: readonly string[]): Promise<unknown> {
  switch (name) {
    case 'tighten': {
      const { runTightenBench } = load.tighten();
      return runTightenBench({ runs: 7 });
    }
    case 'cli': {
      const { runCliBench } = load.cli();
      return runCliBench({ help: 10, report: 5 });
    }
    case 'synth-cached': {
      const { cachedOverhead } = load.synth();
      const runs = Number(args[0] ?? 5);
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await cachedOverhead(500, 1));
      return samples;
    }
    case 'synth-startup':
      return load.synthStartup().synthStartup(Number(args[0] ?? 31));
    case 'synth-uncached': {
      const { uncachedFanout } = load.synth();
      const runs = Number(args[0] ?? 5);
      const rate = args[1] === undefined || args[1] === 'default' ? undefined : Number(args[1]);
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await uncachedFanout(50, rate === undefined ? {} : { requestsPerSecond: rate }));
      return samples;
    }
    case 'html':
      return load.html().runHtmlBench(Number(args[0] ?? 5));
    case 'phases':
      return load.phases().runPhasesBench(Number(args[0] ?? 5));
    case 'provider':
      return load.provider().runProviderBench(Number(args[0] ?? 5));
    default:
      throw new Error(`unknown section ${name}`);
  }
}

if (require.main === module) {
  const [name = '', ...args] = process.argv.slice(2);
  runSection(name, args).then(
    (value) => {
      process.stdout.write(`\n${JSON.stringify({ ok: true, value })}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stdout.write(`\n${JSON.stringify({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) })}\n`);
      process.exit(1);
    },
  );
}
