#!/usr/bin/env node
/**
 * Bundles the start of the Terraform provider program (src/provider/main.ts: handshake, TLS certificate, gRPC
 * server) into one CommonJS file, dist/provider/provider-bundle.js, which the launcher `access-advisor provider
 * install` writes runs. Terraform waits for the provider's handshake on every run, and much of a cold start was node
 * resolving, reading and compiling the hundreds of small files of gRPC, protobuf and the certificate library.
 *
 * The provider service (data sources, decisions, the AWS SDK) is not in it: serve.ts requires it on the first
 * provider call, after the handshake, from the compiled ./provider-service.js beside the bundle. The bundle lives
 * next to main.js so that the paths computed from __dirname (the .proto files at the package root) are the same.
 *
 * dist/provider/provider-bundle.js itself is a small launcher (checked-bundle.js writeCodeCacheLauncher) that runs the
 * bundle, provider-bundle.payload.js, from a V8 code cache (src/iam/code-cache.ts).
 *
 * Usage: node scripts/bundle-provider.js [--quiet]
 */
'use strict';
const path = require('path');
const { buildCheckedBundle, payloadOf, runBundleScript, root, writeCodeCacheLauncher } = require('./checked-bundle');

const OUTFILE = path.join(root, 'dist', 'provider', 'provider-bundle.js');
const BANNER = '// cdktf-access-advisor Terraform provider (bundled; started by Terraform through the installed launcher)';

/** `require('./provider-service')` stays a require of the compiled file next to the bundle. */
const serviceOutside = {
  name: 'provider-service-outside',
  setup(build) {
    build.onResolve({ filter: /^\.\/provider-service$/ }, () => ({ path: './provider-service', external: true }));
  },
};

/**
 * The .proto files as protobufjs JSON, parsed here once (src/provider/server.ts protoFilesRoot, from the build's
 * dist/) instead of on every start; checked to read back to the same definitions.
 */
function protoJson() {
  const protobuf = require('protobufjs');
  const { protoFilesRoot } = require(path.join(root, 'dist', 'provider', 'server.js'));
  const json = protoFilesRoot().toJSON();
  const again = protobuf.Root.fromJSON(json).toJSON();
  if (JSON.stringify(again) !== JSON.stringify(json)) throw new Error('the .proto files do not survive protobufjs JSON unchanged');
  return JSON.stringify(json);
}

runBundleScript('bundle-provider', async () => {
  await buildCheckedBundle({
    name: 'bundle-provider',
    entry: path.join(root, 'src', 'provider', 'main.ts'),
    outfile: payloadOf(OUTFILE),
    // Nothing of the service side may be pulled in: it would be compiled before the handshake for nothing.
    forbiddenInput: /node_modules[\\/](@cloud-copilot|@aws-sdk)[\\/]|src[\\/](iam|analysis|model)[\\/]/,
    forbiddenWhat: "the provider service's modules",
    maxBytes: 4 * 1024 * 1024,
    quiet: process.argv.includes('--quiet'),
    options: {
      plugins: [serviceOutside],
      // Names kept: a start-up failure prints its stack to Terraform's log, and libraries may read constructor names.
      keepNames: true,
      define: { PROVIDER_PROTO_JSON: protoJson() },
      // main.ts starts with its own #! line, which esbuild keeps first.
      banner: { js: BANNER },
    },
  });
  // Terraform starts the provider three times per plan: the launcher compiles the bundle from a code cache. Terraform
  // may kill the provider rather than let it exit, so the cache is written 1 s after the start (the handshake is due
  // well before), when it was missing.
  await writeCodeCacheLauncher({ outfile: OUTFILE, banner: `#!/usr/bin/env node\n${BANNER}`, saveAfterMs: 1000 });
});
