#!/usr/bin/env node
/**
 * Bundles the synth-time worker (src/resolve/synth-worker.ts) into ONE CommonJS file that replaces tsc's
 * dist/resolve/synth-worker.js. A synth with an uncached report waits for this program's start before its job can
 * begin, and most of that start was node resolving, reading and compiling the hundreds of files of the AWS SDK.
 *
 * The SDK is taken from its ES modules (`module` before `main`), so esbuild keeps only what the worker uses: the
 * IAM client with the few commands the engine sends, instead of the CommonJS entry that defines every IAM command.
 * Nothing else changes: the same client, credential chain, endpoint and region resolution, and the same checks.
 * The worker runs in a thread of its own (src/resolve/run-worker.ts) or as a program (stdin/stdout), so it shares no
 * module state with the rest of dist/. The action catalog, the emulator, the constructs and cdktf must not be pulled in.
 *
 * dist/resolve/synth-worker.js itself is a small launcher (checked-bundle.js writeCodeCacheLauncher) that runs the
 * bundle, synth-worker.payload.js, from a V8 code cache (src/iam/code-cache.ts): Node 20 has no compile cache.
 *
 * Usage: node scripts/bundle-worker.js [--quiet]
 */
'use strict';
const path = require('path');
const { replaceWithEsModuleBundle, runBundleScript, root } = require('./checked-bundle');

const OUTFILE = path.join(root, 'dist', 'resolve', 'synth-worker.js');

runBundleScript('bundle-worker', () =>
  replaceWithEsModuleBundle({
    name: 'bundle-worker',
    entry: path.join(root, 'src', 'resolve', 'synth-worker.ts'),
    outfile: OUTFILE,
    forbiddenInput: /node_modules[\\/](@cloud-copilot|cdktf|cdktn|constructs|ajv)[\\/]|src[\\/](emulator|constructs|analysis|cli|provider)[\\/]/,
    forbiddenWhat: 'the catalog, ajv, cdktf, or modules of the emulator, constructs, analysis, CLI or provider',
    maxBytes: 1536 * 1024,
    launcher: 'standalone',
    // The synth waits for the worker's exit, and the cache is written where the worker waits for its job instead
    // (at exit only when the run ends sooner): writing it costs about as much CPU as it saves a run.
    saveAfterMs: 300,
    banner: '// cdktf-access-advisor synth-time worker (bundled; started by a synth for its uncached reports)',
  }),
);
