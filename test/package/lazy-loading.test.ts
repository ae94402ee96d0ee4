import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { writeStartupApps } from '../../bench/synth-startup';

// A cdktf app whose reports all come from the committed cache must not pay for what it does not use: the package
// index loads the AWS SDK, the emulator, ajv and the action catalog only on first use. (The time it saves is a
// benchmark, bench/synth-startup.ts; this checks what is loaded, which does not depend on the machine's load.)
const DIST = resolve(__dirname, '..', '..', 'dist');

describe('an app served from the cache (built package, real cdktf app.synth() in a child process)', () => {
  const apps = writeStartupApps(mkdtempSync(join(tmpdir(), 'aa-lazy-')));

  it('loads no package beyond cdktf and constructs but this one', () => {
    const base = apps.packagesLoaded('without');
    const extra = [...apps.packagesLoaded('with')].filter((p) => !base.has(p));
    expect(extra).toEqual(['(package)']);
  });

  it('loads only what a passing gate over a cached report needs: no tightening, plan-time binding, writer or other construct', () => {
    const ours = apps
      .run('with', true)
      .modules.filter((m) => m.startsWith(DIST))
      .map((m) => m.slice(DIST.length + 1).split(sep).join('/'));
    const unneeded = [
      'analysis/tighten.js',
      'analysis/verify.js',
      'analysis/evaluate.js',
      'analysis/granted.js',
      'model/action-catalog.js',
      'analysis/scp-proposal.js',
      'analysis/baseline.js',
      'iam/engine.js',
      'constructs/plan-time-report.js',
      'constructs/organizations-access-report.js',
      'constructs/tightened-policy-document.js',
      'constructs/policy-drift-check.js',
      'constructs/service-control-policy-proposal.js',
      'resolve/run-worker.js',
      'resolve/file-lock.js',
      'resolve/atomic-write.js',
    ];
    expect(ours.filter((m) => unneeded.includes(m) || m.startsWith('emulator/'))).toEqual([]);
    // The barrels are lazy (scripts/lazy-barrels.js): without that, the index alone loads about 60 modules. 36 are
    // needed today: the one verdict (analysis/gate, defaults), the fail-closed grant discovery (stack-render,
    // grant-routes, terraform-strings) and the size check of what the stack attaches (policy-size) came with it.
    expect(ours.length).toBeLessThan(40);
  });

  it('still resolves the report and runs the gate (the app with the package really used it)', () => {
    const modules = apps.run('with', true).modules;
    expect(modules.some((m) => m.endsWith(join('dist', 'constructs', 'least-privilege-gate.js')))).toBe(true);
    expect(modules.some((m) => m.endsWith(join('dist', 'resolve', 'cache-file.js')))).toBe(true);
  });
});

describe('the lazy barrels of the built package (scripts/lazy-barrels.js)', () => {
  it('export exactly the names the sources export, and the same values', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const built = require(DIST) as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const source = require('../../src') as Record<string, unknown>;
    expect(Object.keys(built).sort()).toEqual(Object.keys(source).sort());
    // The same module instance behind every getter: a class read twice is one class.
    expect(built.LeastPrivilegeGate).toBe(built.LeastPrivilegeGate);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(built.AwsRequestError).toBe((require(join(DIST, 'model', 'errors.js')) as Record<string, unknown>).AwsRequestError);
  });
});
