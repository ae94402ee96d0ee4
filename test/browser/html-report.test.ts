import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { renderHtml } from '../../src/report/html';
import {
  CHROMIUM,
  EXAMPLE_ENTITY_PATH,
  EXAMPLE_PRINCIPALS,
  exampleGateArgs,
  exampleOrgArgs,
  openReport,
  runCli,
  withChromium,
  withExampleEmulator,
} from '../../scripts/html-report-harness';
import { ensureBuilt } from '../cli/cli-harness';
import { tierNotRun, tierRan } from '../tiers';

/**
 * The browser tier: the built CLI writes the example world's reports, Debian's Chromium (headless, fresh profile)
 * opens them from file://. Nothing may be fetched, nothing logged, every principal and cell must be there.
 */
let dir: string;
let gateRun: { code: number | null; stderr: string };
let orgRun: { code: number | null; stderr: string };

beforeAll(async () => {
  // No skip: without a browser the tier says so (one line for .ci/run) and its tests fail.
  if (!existsSync(CHROMIUM)) tierNotRun('browser', `${CHROMIUM} is missing (apt-get install chromium)`);
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'access-advisor-html-'));
  await withExampleEmulator(async (endpoint) => {
    gateRun = await runCli(endpoint, exampleGateArgs(join(dir, 'gate.html')));
    orgRun = await runCli(endpoint, exampleOrgArgs(join(dir, 'org.html')));
  });
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (existsSync(CHROMIUM)) tierRan('browser', `${CHROMIUM} opened the example gate and org HTML reports and a hostile one (${checked} browser checks passed)`);
});

/** Browser checks that reached their end. */
let checked = 0;

/** The page's getComputedStyle (this project compiles without the DOM library). */
declare const getComputedStyle: (element: unknown) => { fill: string; overflow: string };

const inBrowser = async <T>(body: (browser: Browser) => Promise<T>): Promise<T> => {
  const result = await withChromium(body);
  checked++;
  return result;
};

describe('gate --output html in Chromium', () => {
  it('the CLI wrote one self-contained file and failed the gate (exit 1) as the example world has unused permissions', () => {
    expect(gateRun.code).toBe(1);
    expect(gateRun.stderr).toContain(`wrote ${join(dir, 'gate.html')}`);
    const html = readFileSync(join(dir, 'gate.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i);
  });

  it('opens from file:// with no console error and no request but the document itself, every principal and cell present', async () => {
    await inBrowser(async (browser) => {
      const file = join(dir, 'gate.html');
      const report = await openReport(browser, file);
      expect(report.consoleErrors).toEqual([]);
      expect(report.requests).toEqual([`file://${file}`]);

      const rows = await report.page.$$eval('details.p', (els) =>
        els.map((e) => ({ id: e.querySelector('.lbl')!.getAttribute('title'), verdict: e.className, cells: e.querySelectorAll('svg.strip rect').length })),
      );
      expect(rows.map((r) => r.id).sort()).toEqual([...EXAMPLE_PRINCIPALS].sort());
      // Biggest problems first: every failing row before the young role, which has too little history to judge.
      const young = rows.findIndex((r) => r.id!.endsWith('role/young-analytics'));
      expect(rows[young]!.verdict).toContain('v-no-evidence');
      expect(rows.slice(0, young).every((r) => r.verdict.includes('v-fail'))).toBe(true);
      expect(rows.every((r) => r.cells > 0)).toBe(true);

      // Every coloured cell has a title naming its service and state (not colour alone), and is painted.
      const cells = await report.page.$$eval('svg.strip rect', (els) =>
        els.map((e) => ({ title: e.querySelector('title')?.textContent ?? '', fill: getComputedStyle(e).fill, width: e.getBoundingClientRect().width })),
      );
      expect(cells.length).toBe(rows.reduce((n, r) => n + r.cells, 0));
      for (const c of cells) {
        expect(c.title).toMatch(/^[a-z0-9-]+: (used in the window|unused beyond the window|never used in the tracking period|no evidence)/);
        expect(c.fill).toMatch(/^url\("?#hm-[uonz]"?\)$/);
        expect(c.width).toBeGreaterThan(10);
      }
      const deployerTitles = await report.page.$$eval('details.p', (els) =>
        [...els.find((e) => e.querySelector('.lbl')!.getAttribute('title')!.endsWith('role/app-deployer'))!.querySelectorAll('rect title')].map((t) => t.textContent),
      );
      expect(deployerTitles.some((t) => /^ec2: unused beyond the window; .*kept by exception ec2: kept for the quarterly disaster-recovery drill/.test(t!))).toBe(true);
      expect(deployerTitles.some((t) => /^s3: used in the window; last used \d{4}-\d{2}-\d{2}/.test(t!))).toBe(true);
      const youngTitles = await report.page.$$eval('details.p.v-no-evidence rect title', (els) => els.map((e) => e.textContent!));
      expect(youngTitles.every((t) => /used in the window|no evidence; insufficient history/.test(t))).toBe(true);

      // The drill-down opens without script and carries the reasons.
      const summary = report.page.locator('details.p', { has: report.page.locator('.lbl[title$="role/app-deployer"]') }).locator('summary');
      await summary.click();
      const drill = report.page.locator('details.p[open] .dd');
      await expect(drill.isVisible()).resolves.toBe(true);
      expect(await drill.textContent()).toContain('Kept by exception');

      // The CSS-only filter hides passing and unjudged rows.
      await report.page.click('label[for="show-fail"]');
      const visible = await report.page.$$eval('details.p', (els) => els.filter((e) => e.getClientRects().length > 0).map((e) => e.className));
      expect(visible.length).toBe(rows.filter((r) => r.verdict.includes('v-fail')).length);
      expect(visible.every((c) => c.includes('v-fail'))).toBe(true);

      const shot = join(dir, 'gate.png');
      await report.page.screenshot({ path: shot, fullPage: false });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      expect(report.consoleErrors).toEqual([]);
      expect(report.requests).toEqual([`file://${file}`]);
    });
  }, 120_000);

  it('prints: the heat map and the legend are laid out for paper, the filter buttons are not', async () => {
    await inBrowser(async (browser) => {
      const report = await openReport(browser, join(dir, 'gate.html'));
      await report.page.emulateMedia({ media: 'print' });
      expect(await report.page.locator('label[for="show-all"]').isVisible()).toBe(false);
      expect(await report.page.locator('.legend').isVisible()).toBe(true);
      const overflow = await report.page.$eval('.matrix', (e) => getComputedStyle(e).overflow);
      expect(overflow).toBe('visible');
      const pdf = await report.page.pdf({ format: 'A4', landscape: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    });
  }, 120_000);
});

describe('org-report --output html in Chromium', () => {
  it('shows the entity tree, the accessed and not accessed services and the SCP hook, offline', async () => {
    expect(orgRun.code).toBe(0);
    await inBrowser(async (browser) => {
      const file = join(dir, 'org.html');
      const report = await openReport(browser, file);
      expect(report.consoleErrors).toEqual([]);
      expect(report.requests).toEqual([`file://${file}`]);
      const entities = await report.page.$$eval('details.p .lbl', (els) => els.map((e) => e.getAttribute('title')));
      expect(entities[0]).toBe(EXAMPLE_ENTITY_PATH);
      // The world's workload accounts used services: their entities appear under the OU that holds them.
      expect(entities).toContain(`${EXAMPLE_ENTITY_PATH}/ou-c3xb-lmu7j2yg/234567890123`);
      const rootCells = await report.page.$$eval('details.p:first-of-type rect title', (els) => els.map((e) => e.textContent!));
      expect(rootCells.some((t) => t.includes('never used in the tracking period'))).toBe(true);
      expect(rootCells.some((t) => t.includes('used in the window'))).toBe(true);
      const tree = await report.page.locator('section.org').textContent();
      // Names from Organizations (the world's), beside the ids.
      expect(tree).toContain('account production (234567890123)');
      expect(tree).toContain('OU Workloads (ou-c3xb-lmu7j2yg)');
      expect(tree).toMatch(/Not accessed \(\d+\)/);
      expect(tree).toContain('SCP proposal');
      // The analysis layer's proposal: the never-accessed services denied, each with its reason, and the documents.
      expect(tree).toMatch(/Denied by the proposal \(\d+\)/);
      const policy = JSON.parse((await report.page.locator('pre.scp').textContent())!.split('\n\n')[0]!) as { Statement: { Effect: string }[] };
      expect(policy.Statement.some((st) => st.Effect === 'Deny')).toBe(true);
      const shot = join(dir, 'org.png');
      await report.page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);
    });
  }, 120_000);
});

describe('hostile input in Chromium', () => {
  it('names and reasons made of markup stay text: no element, no request, no script', async () => {
    const evil = `"><script>alert(1)</script><img src="http://127.0.0.1:9/x" onerror="alert(2)"><svg onload=alert(3)>&amp;\u0000\u202e`;
    const sweep = {
      kind: 'access-advisor-sweep',
      schemaVersion: 1,
      generatedAt: '2026-11-28T00:00:00.000Z',
      request: {},
      accounts: [
        {
          accountId: '123456789012',
          name: evil,
          status: 'failed',
          error: { message: evil },
          principals: [
            {
              arn: `arn:aws:iam::123456789012:role/${evil}`,
              kind: 'role',
              name: evil,
              status: 'ok',
              decision: {
                status: 'sufficient',
                statusReason: evil,
                principalArn: 'x',
                unusedAfterDays: 90,
                evaluatedAt: '2026-11-28T00:00:00.000Z',
                reportJobCompletionDate: '2026-11-28T00:00:00.000Z',
                usedServices: [],
                unusedServices: [evil],
                usedActions: [],
                unusedActions: [],
                findings: [{ kind: 'unused-service', permission: evil, reason: evil }],
              },
              services: [{ serviceNamespace: evil, serviceName: evil }],
            },
          ],
        },
      ],
      totals: {},
    };
    const file = join(dir, 'hostile.html');
    writeFileSync(file, renderHtml(sweep, { now: new Date('2026-11-28T00:00:00Z') }));
    await inBrowser(async (browser) => {
      const report = await openReport(browser, file);
      expect(report.consoleErrors).toEqual([]);
      expect(report.requests).toEqual([`file://${file}`]);
      expect(await report.page.$$eval('script, img, iframe, [onerror], [onload]', (els) => els.length)).toBe(0);
      const shown = evil.replace('\u0000', '\ufffd');
      expect(await report.page.$eval('details.p .lbl', (e) => e.textContent)).toContain(`role/${shown}`);
      expect(await report.page.$eval('svg.strip rect title', (e) => e.textContent)).toBe(`${shown}: never used in the tracking period`);
      expect(await report.page.$eval('.warnings', (e) => e.textContent)).toContain(shown);
    });
  }, 120_000);
});
