// Shared by the browser tests (test/browser), `npm run screenshot` (scripts/screenshot.ts) and the HTML section of
// `npm run bench`: the example world's reports made by the built CLI against a local emulator, and a headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core) that opens them with every request recorded.
// Not part of the package.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmulator } from '../src/emulator';
import { childOutput, type ChildOutput } from './child-output';
import { REPO_ROOT, WORLD_ADMIN_KEY, WORLD_FILE, emulatorEnvironment } from './example-harness';

export const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const CHROMIUM = process.env.ACCESS_ADVISOR_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const ACCOUNT = '123456789012';
/** The management account's principals of examples/world.json (the admin key reads only its own account). */
export const EXAMPLE_PRINCIPALS: readonly string[] = [
  `arn:aws:iam::${ACCOUNT}:role/app-deployer`,
  `arn:aws:iam::${ACCOUNT}:role/ops-admin`,
  `arn:aws:iam::${ACCOUNT}:role/young-analytics`,
  `arn:aws:iam::${ACCOUNT}:user/alice`,
  `arn:aws:iam::${ACCOUNT}:user/bob`,
  `arn:aws:iam::${ACCOUNT}:user/engineering/carol`,
  `arn:aws:iam::${ACCOUNT}:user/admin`,
  `arn:aws:iam::${ACCOUNT}:group/interns`,
];
export const EXAMPLE_ENTITY_PATH = 'o-4fxmplt198/r-c3xb';
/** Exceptions the example gate passes, so the report shows what an exception looks like. */
export const EXAMPLE_ALLOWS: readonly string[] = ['ec2=kept for the quarterly disaster-recovery drill', 'iam:PassRole=deploys pass roles'];

export type CliRun = ChildOutput;

/** The built CLI in a child process with only the world's admin key (nothing of the machine's AWS setup). */
export function runCli(endpoint: string, args: readonly string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args, '--endpoint-url', endpoint], {
    cwd: REPO_ROOT,
    env: emulatorEnvironment(endpoint, { AWS_ACCESS_KEY_ID: WORLD_ADMIN_KEY.accessKeyId }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return childOutput(child);
}

/** `gate --output html --out FILE` over the example principals. */
export function exampleGateArgs(out: string): string[] {
  return [
    'gate',
    ...EXAMPLE_PRINCIPALS.flatMap((arn) => ['--arn', arn]),
    ...EXAMPLE_ALLOWS.flatMap((a) => ['--allow', a]),
    '--output',
    'html',
    '--out',
    out,
  ];
}

export function exampleOrgArgs(out: string): string[] {
  return ['org-report', '--entity-path', EXAMPLE_ENTITY_PATH, '--output', 'html', '--out', out];
}

/** An emulator over examples/world.json with short jobs, for the life of `body`. */
export async function withExampleEmulator<T>(body: (endpoint: string) => Promise<T>): Promise<T> {
  const emulator = await startEmulator({ world: WORLD_FILE, port: 0, seed: 1, jobs: { durationMs: 100 } });
  try {
    return await body(emulator.endpoint);
  } finally {
    await emulator.close();
  }
}

/**
 * A headless Chromium for the life of `body`. playwright's launch() gives every browser a fresh, temporary
 * user-data directory (and removes it on close): nothing of an earlier run or of the user's profile leaks in.
 */
export async function withChromium<T>(body: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    return await body(browser);
  } finally {
    await browser.close();
  }
}

export interface OpenedReport {
  readonly page: Page;
  /** console messages of type error, and uncaught page errors. */
  readonly consoleErrors: string[];
  /** Every request the page made, the document itself included. */
  readonly requests: string[];
  /** From navigation start to the load event, in milliseconds (Navigation Timing). */
  readonly loadMs: number;
}

/** Opens a report from file:// and records what it asks the network for and what it logs. */
export async function openReport(browser: Browser, file: string, viewport = { width: 1400, height: 900 }): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  // A string: this project compiles without the DOM library.
  const loadMs = (await page.evaluate(
    `(() => { const nav = performance.getEntriesByType('navigation')[0]; return nav ? nav.loadEventEnd - nav.startTime : performance.now(); })()`,
  )) as number;
  return { page, consoleErrors, requests, loadMs };
}
