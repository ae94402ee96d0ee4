import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStartupApps } from '../../bench/synth-startup';

// A cdktf app whose reports all come from the committed cache must not pay for what it does not use: the package
// index loads the AWS SDK, the emulator, ajv and the action catalog only on first use. (The time it saves is a
// benchmark, bench/synth-startup.ts; this checks what is loaded, which does not depend on the machine's load.)
describe('an app served from the cache (built package, real cdktf app.synth() in a child process)', () => {
  const apps = writeStartupApps(mkdtempSync(join(tmpdir(), 'aa-lazy-')));

  it('loads no package beyond cdktf and constructs but this one', () => {
    const base = apps.packagesLoaded('without');
    const extra = [...apps.packagesLoaded('with')].filter((p) => !base.has(p));
    expect(extra).toEqual(['(package)']);
  });

  it('still resolves the report and runs the gate (the app with the package really used it)', () => {
    const modules = apps.run('with', true).modules;
    expect(modules.some((m) => m.endsWith(join('dist', 'constructs', 'least-privilege-gate.js')))).toBe(true);
    expect(modules.some((m) => m.endsWith(join('dist', 'resolve', 'cache-file.js')))).toBe(true);
  });
});
