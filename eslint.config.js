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
    // inside the commands that need them; cdk-core picks cdktf or cdktn at run time; the bench isolates sections.
    files: ['src/cli/**/*.ts', 'src/constructs/cdk-core.ts', 'bench/suite/sections.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // CommonJS build scripts and configs.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
