import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { tierRan } from '../tiers';

// The package as a user gets it today: `npm pack` of this repository (built by `npm test` first), installed into
// fresh projects made from the real `cdktf init --template=typescript` (cdktf 0.21, TypeScript 6.0) and
// `cdktn init --template=typescript` (cdktn 0.24, TypeScript 5.9) templates shipped inside the two CLIs, then
// synthesized by the real CLIs with type-checking ts-node (as the templates' `app` runs it), against the package's
// own `npx access-advisor emulator` — with no --world (the bundled demo world) and with a copied world file.
// One pack, one install per project shape; npm works from its local cache where it can (the registry only for
// metadata it lacks).

interface Shape {
  readonly cli: SynthCli;
  /** The core the app imports; the other core is not installed. */
  readonly core: 'cdktf' | 'cdktn';
  readonly typescript: string;
  /** How the emulator of this project is started: the bundled world, or a world file copied into the project. */
  readonly world: 'bundled' | 'copied';
}

const SHAPES: readonly Shape[] = [
  { cli: 'cdktf', core: 'cdktf', typescript: '6.0.3', world: 'bundled' },
  { cli: 'cdktn', core: 'cdktn', typescript: '5.9.3', world: 'copied' },
];

const versionOf = (name: string): string => (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const ROLE = 'arn:aws:iam::123456789012:role/app-deployer';

/** The app: the template's main.ts with a report, a tightened policy and a gate in place of "define resources here". */
function appSource(template: string): string {
  return template
    .replace(
      /^(import \{ App, TerraformStack \} from "(cdktf|cdktn)";)$/m,
      'import { App, TerraformOutput, TerraformStack } from "$2";\nimport { LeastPrivilegeGate, ServiceLastAccessedReport, TightenedPolicyDocument } from "cdktf-access-advisor";',
    )
    .replace(
      '    // define resources here',
      `    const report = new ServiceLastAccessedReport(this, "deployer", {
      arn: "${ROLE}",
      granularity: "ACTION_LEVEL",
    });
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["s3:*", "lambda:*", "dynamodb:*", "iam:PassRole"], Resource: "*" }],
    });
    const tightened = new TightenedPolicyDocument(this, "tightened", { report, policy });
    // Gates judge services: a SERVICE_LEVEL report (an ACTION_LEVEL one would also flag unused tracked actions).
    const services = new ServiceLastAccessedReport(this, "deployer_services", { arn: "${ROLE}" });
    const gate = new LeastPrivilegeGate(this, "gate", {
      report: services,
      allow: [
        { permission: "dynamodb", reason: "restores from backups, twice a year" },
        { permission: "ec2", reason: "AMI lookups for the base image rotation" },
        { permission: "sqs", reason: "dead-letter queue drains during incidents" },
      ],
    });
    const unused: string[] = report.unusedServices({ days: 90 });
    new TerraformOutput(this, "unused_services", { value: unused });
    new TerraformOutput(this, "removed_services", { value: tightened.removedServices });
    new TerraformOutput(this, "tightened_policy", { value: tightened.json });
    new TerraformOutput(this, "gate_passed", { value: gate.passed });`,
    );
}

/** Fill the template placeholders the way `init` does (no future flags, no crash reports). */
function fromTemplate(text: string, project: string): string {
  return text
    .replaceAll('{{ $base }}', project)
    .replaceAll('{{projectId}}', `tarball-${project}`)
    .replaceAll('{{sendCrashReports}}', 'false')
    .replaceAll('{{futureFlags}}', '');
}

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
const npmCache = process.env.npm_config_cache; // keep the user's cache (the offline source); never a fresh one
const emulators: ChildProcess[] = [];
let tarball: string;
let packed: { files: { path: string }[] };

/** npm for the projects: cached packages first, no audit/fund/update-notifier chatter. */
function npmEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
    ...(npmCache ? { npm_config_cache: npmCache } : {}),
  };
}

/** A fresh project from the CLI's own init template, with the tarball installed (npm from its cache first). */
async function createProject(shape: Shape): Promise<void> {
  const project = projectOf(shape);
  const template = join(REPO_ROOT, 'node_modules', `${shape.cli}-cli`, 'bundle', 'templates', 'typescript');
  mkdirSync(project);
  for (const file of ['cdktf.json', 'tsconfig.json', 'main.ts']) {
    const text = fromTemplate(readFileSync(join(template, file), 'utf8'), `${shape.core}-app`);
    writeFileSync(join(project, file), file === 'main.ts' ? appSource(text) : text);
  }
  // The template's package.json plus what its init hook installs (the core, constructs, typescript, ts-node,
  // @types/node), pinned to the versions this repository has, so that npm finds them in its cache.
  const manifest = JSON.parse(fromTemplate(readFileSync(join(template, 'package.json'), 'utf8'), `${shape.core}-app`)) as Record<string, unknown>;
  manifest.dependencies = { [shape.core]: versionOf(shape.core), constructs: versionOf('constructs'), 'cdktf-access-advisor': `file:${tarball}` };
  manifest.devDependencies = { typescript: shape.typescript, 'ts-node': versionOf('ts-node'), '@types/node': versionOf('@types/node') };
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  await ok('npm', ['install'], project, npmEnvironment(), 600_000);
}

const projectOf = (shape: Shape): string => join(scratch, `${shape.core}-app`);

beforeAll(async () => {
  const pack = await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], REPO_ROOT, npmEnvironment(), 300_000);
  [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[] as [{ filename: string; files: { path: string }[] }];
  tarball = join(scratch, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  // One install per project shape, both before any test: each project's TypeScript also checks the other project.
  for (const shape of SHAPES) await createProject(shape);
}, 1_500_000);

afterAll(() => {
  for (const child of emulators) killGroup(child);
  rmSync(scratch, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  const files = (): string[] => packed.files.map((f) => f.path);

  it('ships the demo world, the docs and examples the README links to, and no TypeScript sources', () => {
    expect(files()).toEqual(expect.arrayContaining(['examples/world.json', 'dist/public.d.ts', 'dist/cli/main.js', 'docs/cli.md', 'README.md', 'LICENSE']));
    expect(files().filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
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

describe.each(SHAPES)('a fresh $core project from the `$cli init --template=typescript` template (TypeScript $typescript)', (shape) => {
  const project = projectOf(shape);
  const otherTypescript = SHAPES.find((s) => s !== shape)!;
  let emulator: { endpoint: string; child: ChildProcess };
  let synth: Run;
  let stack: { output: Record<string, { value: unknown }> };

  beforeAll(async () => {
    const world = shape.world === 'copied' ? ['--world', join(project, 'my-world.json')] : [];
    if (shape.world === 'copied') copyFileSync(WORLD_FILE, join(project, 'my-world.json'));
    const home = join(scratch, `${shape.cli}-home`);
    mkdirSync(home, { recursive: true });
    const tfConfig = writeTerraformConfig(join(scratch, `${shape.cli}.tfrc`));
    const cliEnv = cliEnvironment(shape.cli, home, tfConfig);
    emulator = await startPackageEmulator(project, world, { ...process.env, ...cliEnv });
    emulators.push(emulator.child);
    // The real CLI, as the template's `npm run synth` runs it: its app command `npx ts-node main.ts` type-checks.
    synth = await run(CLI_BIN[shape.cli], ['synth'], project, emulatorEnvironment(emulator.endpoint, cliEnv), 600_000);
    const manifestFile = join(project, 'cdktf.out', 'manifest.json');
    if (synth.code === 0 && existsSync(manifestFile)) {
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
      stack = JSON.parse(readFileSync(join(project, 'cdktf.out', manifest.stacks[`${shape.core}-app`]!.synthesizedStackPath), 'utf8')) as typeof stack;
    }
  }, 1_500_000);

  afterAll(() => {
    killGroup(emulator?.child);
    tierRan('tarball', `npm pack → ${shape.core}-only project (init template, TypeScript ${shape.typescript}): ${shape.cli} synth, tsc, emulator ${shape.world === 'bundled' ? 'without --world' : '--world <copy>'}`);
  });

  it(`installs with only ${shape.core} as the CDK core`, () => {
    expect(existsSync(join(project, 'node_modules', 'cdktf-access-advisor', 'examples', 'world.json'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', shape.core === 'cdktf' ? 'cdktn' : 'cdktf'))).toBe(false);
  });

  it(`\`${shape.cli} synth\` type-checks the app and writes the report's values, the tightened policy and the gate's verdict`, () => {
    const problems = synth.code === 0 ? [] : `${synth.stdout}\n${synth.stderr}`.split('\n').filter((line) => /ERROR|error TS|Error:/.test(line)).slice(0, 20);
    expect({ code: synth.code, problems }).toEqual({ code: 0, problems: [] });
    // app-deployer in the demo world: used iam, lambda, logs, s3 within 90 days; never dynamodb or sqs; ec2 210 days ago
    expect(stack.output.unused_services!.value).toEqual(['dynamodb', 'ec2', 'sqs']);
    expect(stack.output.removed_services!.value).toEqual(['dynamodb']);
    const tightened = stack.output.tightened_policy!.value as string;
    for (const kept of ['iam:PassRole', 'lambda:CreateFunction', 's3:CreateBucket']) expect([kept, evaluateIdentityPolicies([tightened], kept)]).toEqual([kept, 'Allowed']);
    expect(evaluateIdentityPolicies([tightened], 'dynamodb:GetItem')).toBe('ImplicitlyDenied');
    expect(stack.output.gate_passed!.value).toBe(true);
    // the synth-time cache a user commits, written next to cdktf.json
    expect(existsSync(join(project, 'access-advisor.context.json'))).toBe(true);
  });

  it.each([
    ['its own', shape.typescript],
    ['the other', otherTypescript.typescript],
  ])('the published declarations type-check with skipLibCheck off and no @types/node (%s TypeScript, %s)', async (_which, version) => {
    const tsc = version === shape.typescript ? join(project, 'node_modules', 'typescript', 'bin', 'tsc') : join(projectOf(otherTypescript), 'node_modules', 'typescript', 'bin', 'tsc');
    writeFileSync(
      join(project, `tsconfig.strict-libs.json`),
      JSON.stringify({ extends: './tsconfig.json', compilerOptions: { skipLibCheck: false, types: [], noEmit: true, incremental: false }, files: ['main.ts'] }),
    );
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.strict-libs.json', '--pretty', 'false'], project, process.env, 300_000);
    const ours = `${result.stdout}`.split('\n').filter((line) => line.includes('cdktf-access-advisor') || line.startsWith('main.ts'));
    expect({ version: (JSON.parse(readFileSync(join(tsc, '..', '..', 'package.json'), 'utf8')) as { version: string }).version, ours }).toEqual({ version, ours: [] });
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
