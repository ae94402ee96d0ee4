#!/usr/bin/env node
/**
 * Bundles the CLI program (src/cli/run.ts) with the report commands only (BUNDLED_COMMANDS of
 * src/cli/command-word.ts) into ONE CommonJS file, dist/cli/report-cli.payload.js, run by its code-cache launcher
 * dist/cli/report-cli.js (checked-bundle.js writeCodeCacheLauncher, src/iam/code-cache.ts). The CLI's entry
 * (dist/cli/main.js) runs it for those commands: a `service-report` waited for node to resolve, read and compile
 * about a hundred and fifty files (commander, the CLI, the engine, the AWS SDK) before its job could start.
 *
 * It is a program of its own: everything such a run loads is inside, so no class or module state exists twice.
 * The IAM client comes from the engine's SDK bundle (dist/iam/aws-sdk.payload.js, scripts/bundle-sdk.js, built
 * first); other SDK packages (Organizations, STS) from their ES modules, as for the synth worker. The other commands'
 * modules are replaced by a stub that refuses to run: the entry sends only the bundled commands here. This
 * package's package.json stays outside (read at run time, as from dist/).
 *
 * Usage: node scripts/bundle-cli.js [--quiet]   (after tsc and bundle-sdk.js: it reads dist/)
 */
'use strict';
const path = require('path');
const { replaceWithEsModuleBundle, runBundleScript, root } = require('./checked-bundle');

const OUTFILE = path.join(root, 'dist', 'cli', 'report-cli.js');
const { BUNDLED_COMMANDS } = require(path.join(root, 'dist', 'cli', 'command-word.js'));
const SDK_BUNDLE = path.join(root, 'dist', 'iam', 'aws-sdk.payload.js');

/** `./commands/<name>` outside BUNDLED_COMMANDS becomes a stub; package.json is required at run time. */
const onlyReportCommands = {
  name: 'only-report-commands',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/[a-z-]+$/ }, (args) => {
      const name = args.path.slice('./commands/'.length);
      return BUNDLED_COMMANDS.has(name) ? undefined : { path: name, namespace: 'not-bundled' };
    });
    build.onLoad({ filter: /.*/, namespace: 'not-bundled' }, (args) => ({
      contents: `export function register() { throw new Error(${JSON.stringify(`access-advisor: the command ${args.path} is not part of the report bundle`)}); }`,
      loader: 'js',
    }));
    // The engine reaches the SDK through src/iam/aws-sdk.ts, required lazily (not at --help): esbuild then keeps the
    // whole namespace of @aws-sdk/client-iam (every IAM command, and the aggregated client that runs at load). Its
    // bundle from scripts/bundle-sdk.js, built before this one, holds only what aws-sdk.ts names.
    build.onResolve({ filter: /(^|\/)aws-sdk$/ }, (args) =>
      path.resolve(args.resolveDir, args.path) === path.join(root, 'src', 'iam', 'aws-sdk') ? { path: SDK_BUNDLE } : undefined,
    );
    // This package's own manifest, from wherever in src/ it is required, is the one two folders above the bundle.
    build.onResolve({ filter: /package\.json$/ }, (args) =>
      path.resolve(args.resolveDir, args.path) === path.join(root, 'package.json')
        ? { path: path.relative(path.dirname(OUTFILE), path.join(root, 'package.json')), external: true }
        : undefined,
    );
  },
};

runBundleScript('bundle-cli', () =>
  replaceWithEsModuleBundle({
    name: 'bundle-cli',
    entry: path.join(root, 'src', 'cli', 'run.ts'),
    outfile: OUTFILE,
    forbiddenInput:
      /node_modules[\\/](@cloud-copilot|cdktf|cdktn|constructs|@grpc|protobufjs|@aws-sdk[\\/]client-iam)[\\/]|src[\\/](emulator|constructs|provider|sweep)[\\/]|src[\\/]iam[\\/]aws-sdk\.ts$/,
    forbiddenWhat: 'the catalog, cdktf, gRPC, the IAM client other than through dist/iam/aws-sdk.payload.js, or modules of the emulator, constructs, provider or sweep',
    maxBytes: 2048 * 1024,
    plugins: [onlyReportCommands],
    // --debug prints an error's class name (InvalidRequestError, not what the minifier made of it).
    keepNames: true,
    launcher: 'standalone',
    // One cache per command, written only by a run that reported (src/cli/report-cli-cache.ts).
    launcherOptionsFrom: { module: path.join(root, 'src', 'cli', 'report-cli-cache.ts'), name: 'reportCliCacheOptions' },
    banner: '// cdktf-access-advisor CLI: the report commands (bundled; run by dist/cli/main.js)',
  }),
);
