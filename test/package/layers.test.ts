import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

// The layers of src/ (docs/architecture.md) are enforced by the project's own ESLint configuration: an import that
// points up a floor, and an import cycle, are lint errors. Fixtures are linted as text under the path they would
// have in src/, so nothing is written into the source tree.
const ROOT = join(__dirname, '..', '..');
// The project's eslint.config.js itself, handed over as an object (ESLint would load the file with a dynamic import,
// which Jest's module sandbox does not allow).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: require('../../eslint.config.js') });

async function lint(text: string, file: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(text, { filePath: join(ROOT, file) });
  return result!.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

const UPWARD = "import { EXIT } from '../cli/exit-codes';\nexport const exitStatus = EXIT.usage;\n";

describe('the floors', () => {
  it('an upward import from the model (even type-only) fails, naming the floor and what the model may import', async () => {
    expect(await lint(UPWARD, 'src/model/upward-fixture.ts')).toEqual([
      { rule: '@typescript-eslint/no-restricted-imports', message: expect.stringContaining('cli/ is not below src/model/') },
    ]);
    const typeOnly = "import type { GateResult } from '../report/gate-result';\nexport type Result = GateResult;\n";
    expect(await lint(typeOnly, 'src/model/upward-fixture.ts')).toEqual([
      { rule: '@typescript-eslint/no-restricted-imports', message: expect.stringContaining('report/ is not below src/model/') },
    ]);
  });

  it('the analysis may not reach the engine, the emulator only the model, the constructs not the CLI', async () => {
    const engine = "import { runReports } from '../iam';\nexport const run = runReports;\n";
    expect((await lint(engine, 'src/analysis/upward-fixture.ts')).map((m) => m.rule)).toEqual(['@typescript-eslint/no-restricted-imports']);
    const analysis = "import { findUnusedPermissions } from '../analysis/unused';\nexport const judge = findUnusedPermissions;\n";
    expect((await lint(analysis, 'src/emulator/upward-fixture.ts')).map((m) => m.rule)).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect((await lint(UPWARD.replace('../cli', '../../cli'), 'src/report/html/upward-fixture.ts')).map((m) => m.rule)).toEqual([
      '@typescript-eslint/no-restricted-imports',
    ]);
    expect((await lint(UPWARD, 'src/constructs/upward-fixture.ts')).map((m) => m.rule)).toEqual(['@typescript-eslint/no-restricted-imports']);
  });

  it('the same imports pass where they point down', async () => {
    expect(await lint(UPWARD, 'src/cli/downward-fixture.ts')).toEqual([]);
    const model = "import { AccessAdvisorError } from '../model/errors';\nexport class FixtureError extends AccessAdvisorError {\n  readonly kind = 'input' as const;\n}\n";
    expect(await lint(model, 'src/analysis/downward-fixture.ts')).toEqual([]);
  });
});

describe('import cycles', () => {
  it('a module that imports a module importing it fails, naming the cycle', async () => {
    // unused.ts imports evidence.ts: evidence.ts importing unused.ts closes a cycle.
    const evidence = readFileSync(join(ROOT, 'src', 'analysis', 'evidence.ts'), 'utf8');
    const withCycle = `import { compare } from './unused';\n${evidence}\nexport const byText = compare;\n`;
    expect(await lint(withCycle, 'src/analysis/evidence.ts')).toEqual([
      { rule: 'layers/no-import-cycle', message: 'import cycle: src/analysis/evidence.ts → src/analysis/unused.ts → src/analysis/evidence.ts' },
    ]);
    expect(await lint(evidence, 'src/analysis/evidence.ts')).toEqual([]);
  });

  it('a type-only cycle through several modules fails too', async () => {
    // gate.ts → evidence.ts → exceptions.ts: a type import of the gate from exceptions.ts closes a longer cycle.
    const exceptions = readFileSync(join(ROOT, 'src', 'analysis', 'exceptions.ts'), 'utf8');
    const withCycle = `import type { GateDecision } from './gate';\n${exceptions}\nexport type Decision = GateDecision;\n`;
    const messages = await lint(withCycle, 'src/analysis/exceptions.ts');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.rule).toBe('layers/no-import-cycle');
    expect(messages[0]!.message).toMatch(/^import cycle: src\/analysis\/exceptions\.ts → src\/analysis\/gate\.ts → .+ → src\/analysis\/exceptions\.ts$/);
    expect(await lint(exceptions, 'src/analysis/exceptions.ts')).toEqual([]);
  });
});
