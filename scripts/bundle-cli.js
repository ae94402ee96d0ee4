#!/usr/bin/env node
/**
 * Bundles the CLI program (src/cli/run.ts) once per report command (BUNDLED_COMMANDS of src/cli/command-word.ts),
 * each into ONE CommonJS file holding the program with that command alone, dist/cli/report-cli.<command>.payload.js,
 * all run by one code-cache launcher, dist/cli/report-cli.js (checked-bundle.js writeCodeCacheLauncher,
 * src/iam/code-cache.ts), which picks the payload of the command it is given (src/cli/report-cli-cache.ts). The
 * CLI's entry (dist/cli/main.js) runs it for those commands: a `service-report` waited for node to resolve, read and
 * compile about a hundred and fifty files (commander, the CLI, the engine, the AWS SDK) before its job could start.
 * One payload per command, because every start reads, hashes and decodes the whole payload and V8 takes in the
 * code cache of everything it holds: org-report's Organizations client brings a second copy of the SDK's core (about
 * a third of a payload with all three commands) that a service-report never runs.
 *
 * Each is a program of its own: everything such a run loads is inside, so no class or module state exists twice.
 * The IAM client comes from the engine's SDK bundle (dist/iam/aws-sdk.payload.js, scripts/bundle-sdk.js, built
 * first); other SDK packages (Organizations, STS) from their ES modules, as for the synth worker. The other commands'
 * modules are replaced by a stub that refuses to run: the entry sends only the bundled commands here, and the
 * launcher each to its own payload. This package's package.json stays outside (read at run time, as from dist/).
 *
 * Usage: node scripts/bundle-cli.js [--quiet]   (after tsc and bundle-sdk.js: it reads dist/)
 */
'use strict';
const path = require('path');
const { buildEsModuleBundle, runBundleScript, root, writeCodeCacheLauncher } = require('./checked-bundle');

const OUTFILE = path.join(root, 'dist', 'cli', 'report-cli.js');
const { BUNDLED_COMMANDS } = require(path.join(root, 'dist', 'cli', 'command-word.js'));
const { reportCliPayloadName } = require(path.join(root, 'dist', 'cli', 'report-cli-cache.js'));
const SDK_BUNDLE = path.join(root, 'dist', 'iam', 'aws-sdk.payload.js');
const BANNER = '// cdktf-access-advisor CLI: the report commands (bundled; run by dist/cli/main.js)';

/** `./commands/<name>` other than `command` becomes a stub; package.json is required at run time. */
const onlyCommand = (command) => ({
  name: 'only-command',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/[a-z-]+$/ }, (args) => {
      const name = args.path.slice('./commands/'.length);
      return name === command ? undefined : { path: name, namespace: 'not-bundled' };
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
});

/**
 * Node modules that the bundle's packages require at load but a report never uses: commander requires child_process
 * for its executable subcommands (this program has none), which cost about 4 ms of every start (Node 20). (The
 * SDK's fs/promises and https are used before the first request anyway.) Each becomes an object with the module's
 * exports as getters that require the module on first use: the same functions and classes, read at the moment they
 * are called (esbuild's CommonJS interop copies the getters without reading them). The names are the build's node's;
 * a name its node lacks reads as undefined, as it would.
 */
const LAZY_BUILTINS = ['child_process'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.map((m) => m.replace('/', '\\/')).join('|')})$`);
    build.onResolve({ filter }, (args) =>
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents:
        `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(`node:${args.path}`)}));\n` +
        `for (const name of ${JSON.stringify(Object.keys(require(args.path)))}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });\n`,
      loader: 'js',
    }));
  },
};

runBundleScript('bundle-cli', async () => {
  const payloads = [...BUNDLED_COMMANDS].map((command) => path.join(path.dirname(OUTFILE), reportCliPayloadName(command)));
  for (const [i, command] of [...BUNDLED_COMMANDS].entries()) {
    await buildEsModuleBundle({
      name: `bundle-cli (${command})`,
      entry: path.join(root, 'src', 'cli', 'run.ts'),
      outfile: payloads[i],
      forbiddenInput:
        /node_modules[\\/](@cloud-copilot|cdktf|cdktn|constructs|@grpc|protobufjs|@aws-sdk[\\/]client-iam)[\\/]|src[\\/](emulator|constructs|provider|sweep)[\\/]|src[\\/]iam[\\/]aws-sdk\.ts$/,
      forbiddenWhat: 'the catalog, cdktf, gRPC, the IAM client other than through dist/iam/aws-sdk.payload.js, or modules of the emulator, constructs, provider or sweep',
      maxBytes: 2048 * 1024,
      asciiOnly: true,
      plugins: [onlyCommand(command), lazyBuiltins],
      // --debug prints an error's class name (InvalidRequestError, not what the minifier made of it).
      keepNames: true,
      banner: BANNER,
    });
  }
  await writeCodeCacheLauncher({
    outfile: OUTFILE,
    banner: BANNER,
    // One cache per command, written only by a run that reported; the payload of the command given.
    optionsFrom: { module: path.join(root, 'src', 'cli', 'report-cli-cache.ts'), name: 'reportCliCacheOptions' },
    payloadFrom: { module: path.join(root, 'src', 'cli', 'report-cli-cache.ts'), name: 'reportCliPayload' },
    modeOf: payloads[0],
  });
});
