/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) as its top functions by self time, with their share of all samples:
 * what the issue's closing note asks for, readable without Chrome DevTools.
 *
 *   npx ts-node --transpile-only bench/profile-summary.ts prof/CPU.….cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

/** Self time per function (summed over every node of the same function), largest first. */
export function selfTimes(profile: Profile): { totalMs: number; rows: SelfTime[] } {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const micros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const frame = byNode.get(id)!.callFrame;
    const where = frame.url ? `${relative(process.cwd(), frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    micros.set(key, (micros.get(key) ?? 0) + delta);
    total += delta;
  });
  const rows = [...micros].map(([name, us]) => ({ name, ms: us / 1000, share: us / total })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, rows };
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const { totalMs, rows } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  console.log(`${totalMs.toFixed(0)} ms sampled; top self time:`);
  for (const r of rows.slice(0, Number(top ?? 25))) console.log(`${(r.share * 100).toFixed(1).padStart(5)}% ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
}
