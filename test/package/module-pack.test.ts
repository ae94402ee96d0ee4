import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeStartupApps } from '../../bench/synth-startup';

// The constructs of a cache-hit synth load from one file, dist/synth-pack.js (scripts/pack-modules.js,
// src/constructs/module-pack.ts), compiled with a V8 code cache kept beside it. What must hold, seen from a real node
// process loading the built package: every module still exists once (a class is one class, whichever way it was
// reached), the code cache only ever saves time (absent, damaged or refused, the app synthesizes the same), and it is
// written atomically into the package's own folder. The time it saves is a benchmark (bench/synth-startup.ts).

const REPO = resolve(__dirname, '..', '..');
const DIST = join(REPO, 'dist');
const CDKTF = require.resolve('cdktf');

/** Runs `program` (CommonJS, with DIST and CDKTF defined) in a fresh node; its last stdout line is JSON. */
function runNode(program: string, env: NodeJS.ProcessEnv = {}, dist = DIST): Record<string, unknown> {
  const source = `const DIST = ${JSON.stringify(dist)}; const CDKTF = ${JSON.stringify(CDKTF)};\n${program}`;
  const child = spawnSync(process.execPath, ['-e', source], { cwd: REPO, encoding: 'utf8', env: { ...process.env, ACCESS_ADVISOR_LOOKUPS: 'off', ...env } });
  if (child.status !== 0) throw new Error(`node exited ${child.status}: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** An app whose report's ARN is refused: the constructor's error tells where the constructs' code ran from. */
const REFUSED_ARN = `
const { App, TerraformStack } = require(CDKTF);
const refused = (pkg) => {
  const stack = new TerraformStack(new App(), 'app');
  try { new pkg.ServiceLastAccessedReport(stack, 'r', { arn: 'not-an-arn', endpoint: 'http://127.0.0.1:9' }); } catch (error) { return error; }
  throw new Error('the ARN was accepted');
};
`;

describe('the module pack of the built package (a real node process)', () => {
  it('runs the constructs from the pack, and their modules are the files\' modules (index first, then a file)', () => {
    const result = runNode(`${REFUSED_ARN}
const pkg = require(DIST);
const error = refused(pkg);
const errors = require(DIST + '/model/errors.js');
const gateFile = DIST + '/constructs/least-privilege-gate.js';
console.log(JSON.stringify({
  fromPack: /synth-pack\\.js/.test(error.stack),
  errorIsTheFilesClass: error instanceof errors.AccessAdvisorError,
  indexErrorIsTheFilesClass: pkg.AccessAdvisorError === errors.AccessAdvisorError,
  gateIsTheFilesClass: pkg.LeastPrivilegeGate === require(gateFile).LeastPrivilegeGate,
  registered: require.cache[gateFile] !== undefined && require.cache[gateFile].loaded && require.cache[gateFile].filename === gateFile,
}));
`);
    expect(result).toEqual({ fromPack: true, errorIsTheFilesClass: true, indexErrorIsTheFilesClass: true, gateIsTheFilesClass: true, registered: true });
  });

  it('takes a module the app loaded from its file before (a file first, then the index)', () => {
    const result = runNode(`${REFUSED_ARN}
const errors = require(DIST + '/model/errors.js');
const pkg = require(DIST);
const error = refused(pkg);
console.log(JSON.stringify({ fromPack: /synth-pack\\.js/.test(error.stack), errorIsTheFilesClass: error instanceof errors.InvalidRequestError || error instanceof errors.AccessAdvisorError }));
`);
    expect(result).toEqual({ fromPack: true, errorIsTheFilesClass: true });
  });

  it('is not used under a module loader other than node\'s own (this jest): the index gives the files\' modules', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require(DIST) as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(pkg.LeastPrivilegeGate).toBe((require(join(DIST, 'constructs', 'least-privilege-gate.js')) as Record<string, unknown>).LeastPrivilegeGate);
  });
});

describe('the packed package', () => {
  it('ships the pack and no code cache (one was written into dist/ by the runs above)', () => {
    // --ignore-scripts: the prepack/postpack pair rewrites package.json, which another test may be packing.
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
    expect(pack.status).toBe(0);
    const files = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(readdirSync(DIST).filter((f) => f.endsWith('.v8cache')).length).toBeGreaterThan(0);
    expect({ pack: files.includes('dist/synth-pack.js'), caches: files.filter((f) => f.endsWith('.v8cache')) }).toEqual({ pack: true, caches: [] });
  });
});

describe('the code cache of the module pack (a copy of dist/, so the repository\'s own cache is not touched)', () => {
  // Inside the repository (its .tmp/, which git and eslint ignore), so that the copy finds cdktf as dist/ does.
  let scratch = '';
  let dist = '';
  let app = '';
  beforeAll(() => {
    mkdirSync(join(REPO, '.tmp'), { recursive: true });
    scratch = mkdtempSync(join(REPO, '.tmp', 'module-pack-'));
    dist = join(scratch, 'dist');
    cpSync(DIST, dist, { recursive: true, filter: (source) => !source.endsWith('.v8cache') });
    // The benchmark's app: one report served from its cache, a gate and an output, loading the copy.
    writeStartupApps(scratch);
    app = join(scratch, 'with-package.js');
    writeFileSync(app, readFileSync(app, 'utf8').split(JSON.stringify(join(DIST, 'index.js'))).join(JSON.stringify(join(dist, 'index.js'))));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const caches = () => readdirSync(dist).filter((f) => f.endsWith('.v8cache'));
  /** Synthesizes the app; its Terraform JSON. */
  const synth = (env: NodeJS.ProcessEnv = {}): unknown => {
    const child = spawnSync(process.execPath, [app], { cwd: scratch, encoding: 'utf8', env: { ...process.env, ACCESS_ADVISOR_LOOKUPS: 'off', ...env } });
    if (child.status !== 0) throw new Error(`the app exited ${child.status}: ${child.stderr}`);
    expect(child.stdout).not.toMatch(/synth-pack/); // sanity: the app printed nothing of ours
    return JSON.parse(readFileSync(join(scratch, 'out-with', 'stacks', 'app', 'cdk.tf.json'), 'utf8'));
  };

  it('is written beside the pack, readable by all, by the first run; later runs use it and write nothing', () => {
    expect(readFileSync(app, 'utf8')).toContain(dist);
    expect(caches()).toEqual([]);
    const first = synth();
    const written = caches();
    expect(written).toHaveLength(1);
    expect(statSync(join(dist, written[0]!)).mode & 0o777).toBe(0o644);
    const before = statSync(join(dist, written[0]!)).mtimeMs;
    expect(synth()).toEqual(first);
    expect({ files: caches(), mtime: statSync(join(dist, written[0]!)).mtimeMs }).toEqual({ files: written, mtime: before });
    expect(readdirSync(dist).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('damaged, or refused by V8, it changes nothing but the time: the same synth, and a good cache replaces it', () => {
    const [file] = caches();
    const cache = join(dist, file!);
    const good = synth();
    writeFileSync(cache, Buffer.alloc(4096, 7)); // its checksum fails
    expect(synth()).toEqual(good);
    expect(statSync(cache).size).not.toBe(4096);
    // A checksum that holds over data V8 refuses (what another node's cache is to this one).
    const junk = Buffer.alloc(4096, 9);
    writeFileSync(cache, Buffer.concat([createHash('sha256').update(junk).digest(), junk]));
    expect(synth()).toEqual(good);
    expect(statSync(cache).size).not.toBe(4096 + 32);
  });

  it('is neither read nor written with NODE_DISABLE_COMPILE_CACHE', () => {
    const good = synth();
    for (const file of caches()) rmSync(join(dist, file));
    expect(synth({ NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(good);
    expect(caches()).toEqual([]);
  });
});
