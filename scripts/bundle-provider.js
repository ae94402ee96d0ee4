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
 * Usage: node scripts/bundle-provider.js [--quiet]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'src', 'provider', 'main.ts');
const outfile = path.join(root, 'dist', 'provider', 'provider-bundle.js');
const quiet = process.argv.includes('--quiet');

// Nothing of the service side may be pulled in: it would be compiled before the handshake for nothing.
const FORBIDDEN_INPUT = /node_modules[\\/](@cloud-copilot|@aws-sdk)[\\/]|src[\\/](iam|analysis|model)[\\/]/;

/** `require('./provider-service')` stays a require of the compiled file next to the bundle. */
const serviceOutside = {
  name: 'provider-service-outside',
  setup(build) {
    build.onResolve({ filter: /^\.\/provider-service$/ }, () => ({ path: './provider-service', external: true }));
  },
};
const MAX_BYTES = 4 * 1024 * 1024;

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
    // Names kept: a start-up failure prints its stack to Terraform's log, and libraries may read constructor names.
    keepNames: true,
    sourcemap: false,
    metafile: true,
    legalComments: 'none',
    plugins: [serviceOutside],
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
    // main.ts starts with its own #! line, which esbuild keeps first.
    banner: { js: '// cdktf-access-advisor Terraform provider (bundled; started by Terraform through the installed launcher)' },
  });
  const inputs = Object.keys(result.metafile.inputs);
  const forbidden = inputs.filter((input) => FORBIDDEN_INPUT.test(input));
  const size = fs.statSync(tmp).size;
  const problems = [];
  if (forbidden.length > 0) problems.push(`the start bundle must not include the provider service's modules, but it has: ${forbidden.slice(0, 5).join(', ')}`);
  if (size > MAX_BYTES) problems.push(`the bundle is ${size} bytes, more than ${MAX_BYTES}: something large was pulled in`);
  if (problems.length > 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(problems.join('; '));
  }
  fs.renameSync(tmp, outfile);
  if (!quiet) process.stdout.write(`bundle-provider: ${path.relative(root, outfile)} (${(size / 1024).toFixed(0)} KiB, ${inputs.length} inputs)\n`);
}

main().catch((error) => {
  process.stderr.write(`bundle-provider: ${error.message}\n`);
  process.exit(1);
});
