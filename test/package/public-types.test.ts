import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';

// The published declarations (package.json "types") must type-check in a project that has neither cdktf nor cdktn
// types nor @types/node in scope (`types: []`, no DOM), with skipLibCheck off — and stay exact (never `any`).
// Only `constructs` is resolvable here, so an import of a core, the AWS SDK or a Node type in them is an error.
// The real cdktf/cdktn project shapes (TS 5.9 and 6.0) are in the toolchain tier; this is the fast guard.
const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { types: string; exports: { '.': { types: string } } };

function projectWith(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'aa-public-types-'));
  const pkg = join(dir, 'node_modules', 'cdktf-access-advisor');
  mkdirSync(join(pkg, dirname(manifest.types)), { recursive: true });
  copyFileSync(join(ROOT, manifest.types), join(pkg, manifest.types));
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(dirname(require.resolve('constructs/package.json')), join(dir, 'node_modules', 'constructs'), 'dir');
  writeFileSync(join(dir, 'main.ts'), source);
  return dir;
}

// cdktf's template resolves like node10 ("types" field, CommonJS); newer projects resolve through "exports".
const RESOLUTIONS = {
  node10: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, ignoreDeprecations: '6.0' },
  node16: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
} as const;
type Resolution = keyof typeof RESOLUTIONS;

function diagnosticsOf(dir: string, resolution: Resolution): string[] {
  const program = ts.createProgram([join(dir, 'main.ts')], {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: [],
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
    ...RESOLUTIONS[resolution],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? `${d.file.fileName.replace(dir, '')}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

const USES = `
import * as advisor from 'cdktf-access-advisor';
import type { ServiceLastAccessedReport, LeastPrivilegeGate, UnusedPermissions, ReportOptions } from 'cdktf-access-advisor';
declare const report: ServiceLastAccessedReport;
declare const gate: LeastPrivilegeGate;
// @ts-expect-error outputs are tokens of the app's core, typed exactly (never any)
export const services: number = report.services;
export const passed: boolean = gate.passed;
export const status: UnusedPermissions['status'] | undefined = undefined;
export const options: ReportOptions = { timeoutMs: 1000 };
export const names = Object.keys(advisor);
`;

describe('the published declarations', () => {
  it('are the rolled-up file the package names', () => {
    expect(manifest.exports['.'].types).toBe(`./${manifest.types}`);
    expect(existsSync(join(ROOT, manifest.types))).toBe(true);
  });

  it.each(Object.keys(RESOLUTIONS) as Resolution[])('type-check exactly with no CDK core, no @types/node and no DOM in scope (%s)', (resolution) => {
    expect(diagnosticsOf(projectWith(USES), resolution)).toEqual([]);
  });

  it('the guard sees a declaration that degrades to any (the check can fail)', () => {
    const degraded = USES.replace("// @ts-expect-error outputs are tokens of the app's core, typed exactly (never any)\n", '');
    expect(diagnosticsOf(projectWith(degraded), 'node16').join('\n')).toMatch(/not assignable to type 'number'/);
  });
});
