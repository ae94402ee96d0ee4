import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  CLI_BIN,
  cliEnvironment,
  emulatorEnvironment,
  REPO_ROOT,
  WORLD_FILE,
  type SynthCli,
} from '../../scripts/example-harness';
import { evaluateIdentityPolicies } from '../../src/analysis';
import { writeTerraformConfig } from '../examples/support';
import { tourMain, type Core } from '../readme/tour-app';
import { tierRan } from '../tiers';

// The package as a user gets it today: `npm pack` of this repository (built by `npm test` first), installed into
// projects made exactly as a new user makes them today — the real `cdktf init --template=typescript` (cdktf-cli 0.21:
// it installs npm's latest TypeScript, 7) and `cdktn init --template=typescript` (cdktn-cli 0.24 on the Node 22
// binary: TypeScript 5.x) — with the README's Install fixes applied: for cdktf, "keep TypeScript 7" (no ts-node or
// ts-jest; `npx tsc && node main.js`) and the pinned-TypeScript-6 fallback (ts-node as the template has it). Each
// project gets the README tour as its main.ts (test/readme/tour-app.ts) and is synthesized by the real CLI against
// the package's own `npx access-advisor emulator` (the bundled world, or a copied world file). `init` and the
// installs use the npm registry (npm's cache first).

interface Shape {
  readonly name: string;
  readonly cli: SynthCli;
  /** The core the app imports; the other core is not installed. */
  readonly core: Core;
  /** The TypeScript major the project ends up with. */
  readonly typescript: string;
  /** What the README's Install section says to do in this project, after `init`. */
  readonly fix: 'keep-typescript-7' | 'pin-typescript-6' | 'none';
  /** How the emulator of this project is started: the bundled world, or a world file copied into the project. */
  readonly world: 'bundled' | 'copied';
}

const SHAPES: readonly Shape[] = [
  { name: 'cdktf-ts7', cli: 'cdktf', core: 'cdktf', typescript: '7', fix: 'keep-typescript-7', world: 'bundled' },
  { name: 'cdktf-ts6', cli: 'cdktf', core: 'cdktf', typescript: '6', fix: 'pin-typescript-6', world: 'copied' },
  { name: 'cdktn', cli: 'cdktn', core: 'cdktn', typescript: '5', fix: 'none', world: 'copied' },
];

const ROLE = 'arn:aws:iam::123456789012:role/app-deployer';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${command} ${args.join(' ')} in ${cwd} did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

async function ok(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  const result = await run(command, args, cwd, env, timeoutMs);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} exited ${result.code}:\n${result.stderr.trim() || result.stdout.trim()}`);
  return result;
}

/** `npx access-advisor emulator …` of the installed package: resolves with its endpoint once it listens. */
function startPackageEmulator(project: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ endpoint: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['access-advisor', 'emulator', '--port', '0', '--job-duration', '100', ...args], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`npx access-advisor emulator did not listen within 120 s:\n${stderr}`));
    }, 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ endpoint: match[1]!, child });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`npx access-advisor emulator exited ${code} before listening:\n${stderr}`));
    });
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'access-advisor-tarball-'));
const npmCache = process.env.npm_config_cache; // keep the user's cache; never a fresh one
const emulators: ChildProcess[] = [];
let tarball: string;
let packed: { files: { path: string }[] };
let packedManifest: { scripts?: Record<string, string> };
/** A leftover of `npm run demo` (its "current policy" synth) that the tarball must not carry. */
const DEMO_LEFTOVER = join(REPO_ROOT, 'examples', 'least-privilege-role', 'cdktf.out.tarball-test-leftover');

/** npm for the projects: the registry (its cache first), no audit/fund/update-notifier chatter. */
function npmEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
    CHECKPOINT_DISABLE: '1',
    CI: '1',
    ...(npmCache ? { npm_config_cache: npmCache } : {}),
    ...extra,
  };
}

const projectOf = (shape: Shape): string => join(scratch, shape.name);
const homeOf = (cli: SynthCli): string => join(scratch, `${cli}-home`);
/**
 * The environment of a CLI's `init`: a home of its own (init reads CDKTF_* variables as its flags, so no CDKTF_HOME),
 * npm's cache kept where it is; cdktn-cli 0.24 runs on the Node 22 binary.
 */
const initEnvironment = (cli: SynthCli): NodeJS.ProcessEnv => {
  const cliEnv = cliEnvironment(cli, homeOf(cli));
  return npmEnvironment({
    HOME: homeOf(cli),
    npm_config_cache: npmCache ?? join(homedir(), '.npm'),
    DISABLE_VERSION_CHECK: '1',
    FORCE_COLOR: '0',
    ...(cliEnv.PATH ? { PATH: cliEnv.PATH } : {}),
  });
};

/** `<cli> init --template=typescript` as a user runs it, without its questions (flags for every answer). */
async function init(cli: SynthCli, project: string): Promise<void> {
  mkdirSync(project);
  mkdirSync(homeOf(cli), { recursive: true });
  await ok(
    CLI_BIN[cli],
    ['init', '--template=typescript', '--local', '--project-name', basename(project), '--project-description', 'tarball tier', '--enable-crash-reporting=false'],
    project,
    initEnvironment(cli),
    900_000,
  );
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const installedVersion = (project: string, name: string): string => readJson<{ version: string }>(join(project, 'node_modules', name, 'package.json')).version;

/** The README's Install fix for the shape, then the tarball and the prebuilt AWS provider of its core. */
async function applyFixAndInstall(shape: Shape): Promise<void> {
  const project = projectOf(shape);
  const env = npmEnvironment(shape.cli === 'cdktn' ? { PATH: cliEnvironment('cdktn', homeOf('cdktn')).PATH } : {});
  if (shape.fix === 'pin-typescript-6') await ok('npm', ['install', '--save-dev', 'typescript@~6.0.3'], project, env, 600_000);
  if (shape.fix === 'keep-typescript-7') {
    await ok('npm', ['uninstall', 'ts-node', 'ts-jest'], project, env, 600_000);
    const cdktfJson = readJson<Record<string, unknown>>(join(project, 'cdktf.json'));
    writeFileSync(join(project, 'cdktf.json'), JSON.stringify({ ...cdktfJson, app: 'npx tsc && node main.js' }, null, 2));
    const tsconfig = readJson<{ compilerOptions: Record<string, unknown> }>(join(project, 'tsconfig.json'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ ...tsconfig, compilerOptions: { ...tsconfig.compilerOptions, types: ['node', 'jest'] } }, null, 2));
  }
  await ok('npm', ['install', tarball, `@${shape.core}/provider-aws`], project, env, 900_000);
}

beforeAll(async () => {
  // A leftover synth output of the demo sits in an example, as after `npm run demo`: the pack must leave it out.
  mkdirSync(join(DEMO_LEFTOVER, 'stacks'), { recursive: true });
  writeFileSync(join(DEMO_LEFTOVER, 'stacks', 'cdk.tf.json'), '{}');
  try {
    // The real `npm pack`, its prepack/postpack scripts included (they keep `prepare` out of the packed manifest).
    const pack = await ok('npm', ['pack', '--json', '--pack-destination', scratch], REPO_ROOT, npmEnvironment(), 300_000);
    const [result] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    packed = result!;
    tarball = join(scratch, result!.filename);
  } finally {
    rmSync(DEMO_LEFTOVER, { recursive: true, force: true });
  }
  packedManifest = JSON.parse((await ok('tar', ['-xzOf', tarball, 'package/package.json'], scratch, process.env, 60_000)).stdout) as typeof packedManifest;
  // The projects, as `init` makes them today: one cdktf init (copied before its fix: the two cdktf shapes start
  // from the same init), one cdktn init.
  await init('cdktf', projectOf(SHAPES[0]!));
  cpSync(projectOf(SHAPES[0]!), projectOf(SHAPES[1]!), { recursive: true, verbatimSymlinks: true });
  await init('cdktn', projectOf(SHAPES[2]!));
  for (const shape of SHAPES) await applyFixAndInstall(shape);
}, 3_000_000);

afterAll(() => {
  for (const child of emulators) killGroup(child);
  rmSync(scratch, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  const files = (): string[] => packed.files.map((f) => f.path);

  it('ships the demo world, the docs and examples the README links to, and no TypeScript sources', () => {
    expect(files()).toEqual(expect.arrayContaining(['examples/world.json', 'dist/public.d.ts', 'dist/cli/main.js', 'docs/cli.md', 'README.md', 'LICENSE']));
    expect(files().filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
    // Test-only code stays out of dist/ (the tests' default CDK core lives in test/).
    expect(files().filter((f) => /default-core/.test(f))).toEqual([]);
  });

  it('carries no synth output of the examples (cdktf.out, cdktf.out.*), even with a demo leftover present when packing', () => {
    expect(files().filter((f) => /(^|\/)cdktf\.out/.test(f))).toEqual([]);
  });

  it('its package.json has no install-time script (the clone-only `prepare` is stripped), and the repository keeps its own', () => {
    const lifecycle = Object.keys(packedManifest.scripts ?? {}).filter((name) => ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'].includes(name));
    expect(lifecycle).toEqual([]);
    expect(readJson<{ scripts: Record<string, string> }>(join(REPO_ROOT, 'package.json')).scripts.prepare).toBe('node scripts/unshadow-node.js');
    expect(existsSync(join(REPO_ROOT, '.package.json.before-pack'))).toBe(false);
  });

  it('has source maps that carry their sources (src/ is not shipped)', () => {
    const maps = files().filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    for (const map of maps) {
      const parsed = JSON.parse(readFileSync(join(REPO_ROOT, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect({ map, complete: parsed.sourcesContent?.length === parsed.sources.length && parsed.sourcesContent.every((s) => typeof s === 'string') }).toEqual({ map, complete: true });
    }
  });

  it('every relative link of the shipped Markdown points at a shipped file', () => {
    const shipped = new Set(files());
    const dead: string[] = [];
    for (const doc of files().filter((f) => f.endsWith('.md'))) {
      const dir = doc.includes('/') ? doc.slice(0, doc.lastIndexOf('/') + 1) : '';
      for (const [, target] of readFileSync(join(REPO_ROOT, doc), 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const path = join(dir, target!).replace(/\/$/, '');
        if (!shipped.has(path) && ![...shipped].some((f) => f.startsWith(`${path}/`))) dead.push(`${doc} → ${target}`);
      }
    }
    expect(dead).toEqual([]);
  });
});

describe.each(SHAPES)('a project from the real `$cli init --template=typescript` today, fix "$fix" (TypeScript $typescript)', (shape) => {
  const project = projectOf(shape);
  let emulator: { endpoint: string; child: ChildProcess };
  let synth: Run;
  let stack: { output: Record<string, { value: unknown }>; resource: Record<string, Record<string, Record<string, unknown>>> };

  beforeAll(async () => {
    // The README tour is the app (imports on top, the rest in the stack's constructor).
    writeFileSync(join(project, 'main.ts'), tourMain(readFileSync(join(project, 'main.ts'), 'utf8'), shape.core));
    const world = shape.world === 'copied' ? ['--world', join(project, 'my-world.json')] : [];
    if (shape.world === 'copied') copyFileSync(WORLD_FILE, join(project, 'my-world.json'));
    const tfConfig = writeTerraformConfig(join(scratch, `${shape.name}.tfrc`));
    const cliEnv = cliEnvironment(shape.cli, homeOf(shape.cli), tfConfig);
    emulator = await startPackageEmulator(project, world, { ...process.env, ...cliEnv });
    emulators.push(emulator.child);
    // The real CLI, as the project's `npm run synth` runs it, with the app command of its cdktf.json.
    synth = await run(CLI_BIN[shape.cli], ['synth'], project, emulatorEnvironment(emulator.endpoint, { ...cliEnv, AWS_ENDPOINT_URL: emulator.endpoint }), 900_000);
    const manifestFile = join(project, 'cdktf.out', 'manifest.json');
    if (synth.code === 0 && existsSync(manifestFile)) {
      const manifest = readJson<{ stacks: Record<string, { synthesizedStackPath: string }> }>(manifestFile);
      stack = readJson<typeof stack>(join(project, 'cdktf.out', Object.values(manifest.stacks)[0]!.synthesizedStackPath));
    }
  }, 1_500_000);

  afterAll(() => {
    killGroup(emulator?.child);
    tierRan(
      'tarball',
      `npm pack → \`${shape.cli} init\` project, fix ${shape.fix}, TypeScript ${installedVersion(project, 'typescript')}: the README tour by ${shape.cli} synth, tsc, emulator ${shape.world === 'bundled' ? 'without --world' : '--world <copy>'}`,
    );
  });

  it(`has TypeScript ${shape.typescript}, ${shape.core} as the only CDK core, and ${shape.fix === 'keep-typescript-7' ? 'neither ts-node nor ts-jest' : "the template's ts-node"}`, () => {
    expect(installedVersion(project, 'typescript').split('.')[0]).toBe(shape.typescript);
    expect(existsSync(join(project, 'node_modules', 'cdktf-access-advisor', 'examples', 'world.json'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', shape.core === 'cdktf' ? 'cdktn' : 'cdktf'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'ts-node'))).toBe(shape.fix !== 'keep-typescript-7');
    expect(readJson<{ app: string }>(join(project, 'cdktf.json')).app).toBe(shape.fix === 'keep-typescript-7' ? 'npx tsc && node main.js' : 'npx ts-node main.ts');
  });

  it(`\`${shape.cli} synth\` of the README tour writes what the tour says: the report's values, the tightened policy, a passing gate, a plan-time postcondition, an SCP proposal`, () => {
    const problems = synth.code === 0 ? [] : `${synth.stdout}\n${synth.stderr}`.split('\n').filter((line) => /ERROR|error TS|Error:/.test(line)).slice(0, 20);
    expect({ code: synth.code, problems }).toEqual({ code: 0, problems: [] });
    // app-deployer in the demo world: used iam, lambda, logs, s3 within 90 days; never dynamodb or sqs; ec2 210 days ago
    expect(stack.output.unused!.value).toEqual(['dynamodb', 'ec2', 'sqs']);
    const tightened = stack.resource.aws_iam_policy!.deployer_policy!.policy as string;
    for (const kept of ['iam:PassRole', 'lambda:CreateFunction', 's3:CreateBucket', 'ec2:DescribeImages']) expect([kept, evaluateIdentityPolicies([tightened], kept)]).toEqual([kept, 'Allowed']);
    for (const removed of ['dynamodb:GetItem', 'sqs:SendMessage']) expect([removed, evaluateIdentityPolicies([tightened], removed)]).toEqual([removed, 'ImplicitlyDenied']);
    expect(Object.keys(stack.resource.aws_organizations_policy ?? {})).toEqual(['workloads_scp_proposal_0']);
    // the synth-time cache a user commits, written next to cdktf.json
    expect(existsSync(join(project, 'access-advisor.context.json'))).toBe(true);
  });

  it('the published declarations type-check with skipLibCheck off and no @types/node (the project\'s own TypeScript)', async () => {
    const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    writeFileSync(
      join(project, 'tsconfig.strict-libs.json'),
      JSON.stringify({ extends: './tsconfig.json', compilerOptions: { skipLibCheck: false, types: [], noEmit: true, incremental: false }, include: [], files: ['main.ts'] }),
    );
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.strict-libs.json', '--pretty', 'false'], project, process.env, 300_000);
    const ours = `${result.stdout}`.split('\n').filter((line) => line.includes('cdktf-access-advisor') || line.startsWith('main.ts'));
    expect({ major: installedVersion(project, 'typescript').split('.')[0], ours }).toEqual({ major: shape.typescript, ours: [] });
    expect(result.code).toBe(0);
  }, 300_000);

  it(`\`npx access-advisor emulator\` ${shape.world === 'bundled' ? 'with no --world serves the bundled demo world' : 'serves a copied world file'}`, async () => {
    const env = emulatorEnvironment(emulator.endpoint);
    const report = await ok('npx', ['access-advisor', 'service-report', '--arn', ROLE, '--granularity', 'SERVICE_LEVEL'], project, { ...env, npm_config_offline: 'true' }, 120_000);
    const parsed = JSON.parse(report.stdout) as unknown;
    expect(JSON.stringify(parsed)).toContain('dynamodb');
    const missing = await run('npx', ['access-advisor', 'emulator', '--world', 'no-such-world.json', '--port', '0'], project, { ...env, npm_config_offline: 'true' }, 120_000);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-world\.json.*cannot be read/);
  }, 300_000);
});
