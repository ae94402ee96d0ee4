#!/usr/bin/env node
/**
 * Bundles src/iam/aws-sdk.ts — the AWS SDK values the report engine uses — into ONE CommonJS file that replaces
 * tsc's dist/iam/aws-sdk.js. The CLI, the library and the Terraform provider load the engine in process; most of a
 * cold report's start was node resolving, reading and compiling the hundreds of files of the SDK's CommonJS entries,
 * and the IAM one defines every IAM command. Taken from the SDK's ES modules (`module` before `main`), esbuild keeps
 * only the client, the commands aws-sdk.ts names and what they use (the credential chain, signing, the HTTP handler,
 * the endpoint rules), unchanged.
 *
 * Only the SDK goes in: our own modules stay separate files, so that classes and module state (errors, redaction,
 * phase marks) exist once per process whoever loads them.
 *
 * dist/iam/aws-sdk.js itself is a launcher that runs the bundle, aws-sdk.payload.js, through dist/iam/code-cache.js:
 * from a V8 code cache in this package's own programs (the CLI, the provider), compiled plainly in anyone else's.
 *
 * Usage: node scripts/bundle-sdk.js [--quiet]
 */
'use strict';
const path = require('path');
const { replaceWithEsModuleBundle, runBundleScript, root } = require('./checked-bundle');

const OUTFILE = path.join(root, 'dist', 'iam', 'aws-sdk.js');

runBundleScript('bundle-sdk', () =>
  replaceWithEsModuleBundle({
    name: 'bundle-sdk',
    entry: path.join(root, 'src', 'iam', 'aws-sdk.ts'),
    outfile: OUTFILE,
    // Nothing of ours but the entry, and no other package of the SDK than the engine's.
    forbiddenInput: /^src[\\/](?!iam[\\/]aws-sdk\.ts$)|node_modules[\\/](@cloud-copilot|@aws-sdk[\\/]client-(sts|organizations))[\\/]/,
    forbiddenWhat: 'modules of this package or the STS and Organizations clients',
    maxBytes: 1024 * 1024,
    launcher: 'in-process',
    banner: '// cdktf-access-advisor: the parts of the AWS SDK the report engine uses (bundled from the SDK\'s ES modules)',
  }),
);
