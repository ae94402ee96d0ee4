// ESLint over the TypeScript sources, tests, benchmarks, examples and scripts (type-checking stays with tsc).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

// What each folder of src/ may import besides itself. The middle floor (sweep, resolve, provider, report) combines the
// engine and the analysis; its folders may use one another. Anything else under src/ is above or beside the folder.
const BELOW = {
  model: [],
  iam: ['model'],
  analysis: ['model'],
  emulator: ['model'],
  sweep: ['model', 'iam', 'analysis', 'resolve', 'provider', 'report'],
  resolve: ['model', 'iam', 'analysis', 'sweep', 'provider', 'report'],
  provider: ['model', 'iam', 'analysis', 'sweep', 'resolve', 'report'],
  report: ['model', 'iam', 'analysis', 'sweep', 'resolve', 'provider'],
  constructs: ['model', 'iam', 'analysis', 'sweep', 'resolve', 'provider', 'report'],
  cli: ['model', 'iam', 'analysis', 'sweep', 'resolve', 'provider', 'report', 'constructs', 'emulator'],
};
const FOLDERS = Object.keys(BELOW);

// Elements, aspects and tokens must come from the core of the user's app (coreOf(scope)); a class taken from
// whichever core loads first is how a gate silently never runs in a project that has both cores.
const CORE_PATHS = ['cdktf', 'cdktn'].map((name) => ({
  name,
  allowTypeImports: true,
  message: 'take core classes from coreOf(scope) (src/constructs/cdk-core.ts)',
}));
const DEFAULT_CORE = { group: ['**/default-core'], message: 'default-core is test code (test/default-core.ts): use coreOf(scope) from cdk-core' };

/** `../x`, `../../x/y`: a relative import that leaves the folder for src/<folder>. Type-only imports count too. */
function floorPatterns(folder, below) {
  return FOLDERS.filter((other) => other !== folder && !below.includes(other)).map((other) => ({
    regex: `^(\\.\\./)+${other}(/|$)`,
    message: `${other}/ is not below src/${folder}/, which may import ${below.length ? `only ${below.map((b) => `${b}/`).join(', ')}` : 'nothing else in src/'} (docs/architecture.md)`,
  }));
}

function restrictedImports(folder, { core }) {
  const below = BELOW[folder];
  return ['error', { paths: core ? CORE_PATHS : [], patterns: [...(core ? [DEFAULT_CORE] : []), ...floorPatterns(folder, below)] }];
}

/**
 * One config per floor. cdk-core.ts is the one module allowed to load a CDK core.
 */
function floorConfigs() {
  const configs = FOLDERS.map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    ignores: folder === 'constructs' ? ['src/constructs/cdk-core.ts'] : [],
    rules: { '@typescript-eslint/no-restricted-imports': restrictedImports(folder, { core: true }) },
  }));
  configs.push(
    { files: ['src/constructs/cdk-core.ts'], rules: { '@typescript-eslint/no-restricted-imports': restrictedImports('constructs', { core: false }) } },
    {
      // The public API re-exports every floor.
      files: ['src/index.ts'],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: CORE_PATHS, patterns: [DEFAULT_CORE] }] },
    },
  );
  return configs;
}

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/cdktf.out/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Deliberate lazy loading: the CLI keeps `--help` fast by loading the AWS SDK, the catalog and the emulator only
    // inside the commands that need them; cdk-core picks cdktf or cdktn at run time; the package index loads the engine,
    // the emulator, ajv and the tracked-actions data on first use (a synth served from the cache needs none of them), the
    // report-page reader loads its XML parser at the first page (while a cold report's job runs), and
    // the constructs load the plan-time binding, the worker runner and the cache writer only in plan mode, on a miss or on
    // a write; the gate (src/analysis/gate.ts) loads the policy evaluator and the baseline rules only when policies or a
    // baseline are given; the Terraform provider loads the AWS SDK and the analysis on the first read (Terraform waits
    // for its start on every run); the duplicate-key check loads its JSON tokenizer only for policy text; the constructs' module pack requires a
    // packed module's file when the pack cannot be used; the bench
    // isolates sections.
    files: [
      'src/cli/**/*.ts',
      'src/constructs/cdk-core.ts',
      'src/constructs/access-report-base.ts',
      'src/resolve/cache-file.ts',
      'src/resolve/synth-resolver.ts',
      'src/iam/index.ts',
      'src/iam/report-page-reader.ts',
      'src/analysis/gate.ts',
      'src/analysis/policy-document.ts',
      'src/sweep/index.ts',
      'src/emulator/index.ts',
      'src/emulator/world.ts',
      'src/model/action-tracking.ts',
      'src/constructs/stack-grants.ts',
      'src/constructs/module-pack.ts',
      'src/provider/**/*.ts',
      'bench/suite/sections.ts',
    ],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Layers (docs/architecture.md): each folder of src/ imports only the floors below it, and no module takes part in an
  // import cycle. One no-restricted-imports setting per floor (a later setting replaces an earlier one, so each carries
  // the CDK-core rule too).
  ...floorConfigs(),
  {
    files: ['src/**/*.ts'],
    plugins: { layers: require('./scripts/eslint-no-import-cycle') },
    rules: { 'layers/no-import-cycle': 'error' },
  },
  {
    // CommonJS build scripts and configs.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
