/**
 * The HTML report at the scale (issue 17): a gate result of 500 principals × 150 services, every principal
 * allowed every service (the dense worst case), ACTION_LEVEL evidence for 4 services of 40 tracked actions, last-use
 * dates drawn from a seeded generator, decisions made by the real gate (analysis/gate.ts). Measured: the
 * renderer in Node, the file size (and gzipped, as an attachment would travel), and Chromium opening it from
 * file:// — the load event, the first frame painted after it, and a CSS filter click re-laid out.
 *
 * Standalone: `npx ts-node --transpile-only bench/html.ts [runs]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { judgeReport } from '../src/analysis/gate';
import { gatePrincipal, type GatePrincipal, type GateResult } from '../src/report/gate-result';
import { renderHtml } from '../src/report/html';
import type { ServiceLastAccessedReport } from '../src/model/report';
import { openReport, withChromium } from '../scripts/html-report-harness';
import { seededRandom } from './suite/seeded';
import { summarize, type Summary } from './suite/stats';

export interface HtmlSample {
  readonly principals: number;
  readonly services: number;
  readonly cells: number;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly renderMs: Summary;
  readonly loadMs: Summary;
  readonly paintedMs: Summary;
  readonly filterMs: Summary;
  readonly chromium: string;
}

const NOW = new Date('2026-11-28T12:00:00.000Z');
const DAY = 86_400_000;

/** A dense, seeded gate result: the input of the measurement. */
export function syntheticGate(principals: number, services: number, seed = 17): GateResult {
  const random = seededRandom(seed);
  const namespaces = Array.from({ length: services }, (_, i) => `service-${String(i).padStart(3, '0')}`);
  const tracked = new Set(namespaces.slice(0, 4));
  const result: GatePrincipal[] = [];
  for (let p = 0; p < principals; p++) {
    const arn = `arn:aws:iam::${String(100000000000 + (p % 20)).padStart(12, '0')}:role/team-${p % 37}/workload-${p}`;
    // Each principal has its own habits: some use most of what they are allowed, some almost nothing.
    const activity = random();
    const lastUse = (): string | undefined => {
      const r = random();
      if (r > activity) return undefined;
      return new Date(NOW.getTime() - Math.floor(random() * 380) * DAY).toISOString();
    };
    const report: ServiceLastAccessedReport = {
      schemaVersion: 1,
      kind: 'service-last-accessed',
      arn,
      granularity: 'ACTION_LEVEL',
      withEntities: false,
      jobId: `job-${p}`,
      jobStatus: 'COMPLETED',
      jobCreationDate: NOW.toISOString(),
      jobCompletionDate: NOW.toISOString(),
      principalCreateDate: new Date(NOW.getTime() - (p % 25 === 0 ? 30 : 700) * DAY).toISOString(),
      servicesLastAccessed: namespaces.map((ns) => {
        const last = lastUse();
        return {
          serviceNamespace: ns,
          serviceName: `Example Service ${ns.slice(-3)}`,
          ...(last ? { lastAuthenticated: last } : {}),
          ...(tracked.has(ns)
            ? {
                trackedActionsLastAccessed: Array.from({ length: 40 }, (_, a) => {
                  const t = last && random() < 0.3 ? last : undefined;
                  return { actionName: `Action${a}`, ...(t ? { lastAccessedTime: t } : {}) };
                }),
              }
            : {}),
        };
      }),
    };
    result.push(gatePrincipal(arn, judgeReport(report, { now: NOW, unusedAfterDays: 90 }), report));
  }
  return { kind: 'least-privilege-gate', passed: false, unusedAfterDays: 90, evaluatedAt: NOW.toISOString(), principals: result };
}

/** Resolves after the frame following the current one is painted (two animation frames). */
const PAINTED = 'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now()))))';

export async function runHtmlBench(runs = 5, principals = 500, services = 150): Promise<HtmlSample> {
  const gate = syntheticGate(principals, services);
  const renderTimes: number[] = [];
  let html = '';
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    html = renderHtml(gate, { now: NOW });
    renderTimes.push(performance.now() - t);
  }
  const dir = mkdtempSync(join(tmpdir(), 'access-advisor-bench-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const load: number[] = [];
  const painted: number[] = [];
  const filter: number[] = [];
  let chromium = '';
  try {
    await withChromium(async (browser) => {
      chromium = browser.version();
      for (let i = 0; i < runs; i++) {
        const report = await openReport(browser, file, { width: 1400, height: 900 });
        if (report.consoleErrors.length) throw new Error(`console errors: ${report.consoleErrors.join('; ')}`);
        if (report.requests.length !== 1) throw new Error(`${report.requests.length - 1} request(s) besides the document`);
        load.push(report.loadMs);
        painted.push((await report.page.evaluate(PAINTED)) as number);
        const before = (await report.page.evaluate('performance.now()')) as number;
        await report.page.click('label[for="show-fail"]');
        filter.push(((await report.page.evaluate(PAINTED)) as number) - before);
        await report.page.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    principals,
    services,
    cells: principals * services,
    bytes: Buffer.byteLength(html),
    gzipBytes: gzipSync(html).length,
    renderMs: summarize(renderTimes),
    loadMs: summarize(load),
    paintedMs: summarize(painted),
    filterMs: summarize(filter),
    chromium,
  };
}

if (require.main === module) {
  runHtmlBench(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 500)).then(
    (s) => console.log(JSON.stringify(s, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
