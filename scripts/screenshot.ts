// `npm run screenshot`: the README's picture of the HTML report, made, not drawn. Builds nothing (run
// `npm run build` first), starts the emulator over examples/world.json, runs the built CLI's
// `gate --output html` and `org-report --output html`, opens both in headless Chromium and writes
// docs/html-report-gate.png and docs/html-report-org.png (the first drill-down opened, so the reasons show).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './example-harness';
import { exampleGateArgs, exampleOrgArgs, openReport, runCli, withChromium, withExampleEmulator } from './html-report-harness';

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'access-advisor-screenshot-'));
  try {
    const gateHtml = join(scratch, 'gate.html');
    const orgHtml = join(scratch, 'org.html');
    await withExampleEmulator(async (endpoint) => {
      const gate = await runCli(endpoint, exampleGateArgs(gateHtml));
      if (gate.code !== 0 && gate.code !== 1) throw new Error(`gate exited ${gate.code}: ${gate.stderr}`);
      const org = await runCli(endpoint, exampleOrgArgs(orgHtml));
      if (org.code !== 0) throw new Error(`org-report exited ${org.code}: ${org.stderr}`);
    });
    await withChromium(async (browser) => {
      const gate = await openReport(browser, gateHtml, { width: 1280, height: 1080 });
      // Open the example role's drill-down: the picture then shows the decision and its reasons too.
      await gate.page.locator('details.p', { has: gate.page.locator('.lbl[title$="role/app-deployer"]') }).locator('summary').click();
      await gate.page.evaluate(`window.scrollTo(0, 0); document.querySelector('.matrix').scrollTop = 0;`);
      await save(gate.page, join(REPO_ROOT, 'docs', 'html-report-gate.png'), gate.consoleErrors, gate.requests.length);
      const org = await openReport(browser, orgHtml, { width: 1280, height: 1080 });
      await save(org.page, join(REPO_ROOT, 'docs', 'html-report-org.png'), org.consoleErrors, org.requests.length);
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function save(page: import('playwright-core').Page, file: string, errors: readonly string[], requests: number): Promise<void> {
  if (errors.length) throw new Error(`the report logged errors: ${errors.join('; ')}`);
  if (requests !== 1) throw new Error(`the report made ${requests - 1} request(s) besides the document`);
  await page.screenshot({ path: file });
  process.stdout.write(`wrote ${relative(REPO_ROOT, file)} (${statSync(file).size} bytes)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshot: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
