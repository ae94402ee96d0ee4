// ESLint over the TypeScript sources, tests, benchmarks, examples and scripts (type-checking stays with tsc).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

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
    // the emulator, ajv and the tracked-actions data on first use (a synth served from the cache needs none of them), and
    // the constructs load the plan-time binding, the worker runner and the cache writer only in plan mode, on a miss or on
    // a write; the gate (src/analysis/gate.ts) loads the policy evaluator and the baseline rules only when policies or a
    // baseline are given; the Terraform provider loads the AWS SDK and the analysis on the first read (Terraform waits
    // for its start on every run); the bench isolates sections.
    files: [
      'src/cli/**/*.ts',
      'src/constructs/cdk-core.ts',
      'src/constructs/access-report-base.ts',
      'src/resolve/cache-file.ts',
      'src/resolve/synth-resolver.ts',
      'src/iam/index.ts',
      'src/analysis/gate.ts',
      'src/sweep/index.ts',
      'src/emulator/index.ts',
      'src/emulator/world.ts',
      'src/emulator/tracked-actions.ts',
      'src/provider/**/*.ts',
      'bench/suite/sections.ts',
    ],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Elements, aspects and tokens must come from the core of the user's app (coreOf(scope)); a class taken from
    // whichever core loads first is how a gate silently never runs in a project that has both cores.
    files: ['src/**/*.ts'],
    ignores: ['src/constructs/cdk-core.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['cdktf', 'cdktn'].map((name) => ({
            name,
            allowTypeImports: true,
            message: 'take core classes from coreOf(scope) (src/constructs/cdk-core.ts)',
          })),
          patterns: [{ group: ['**/default-core'], message: 'default-core is for tests: use coreOf(scope) from cdk-core' }],
        },
      ],
    },
  },
  {
    // CommonJS build scripts and configs.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
