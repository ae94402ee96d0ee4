/**
 * One esbuild run shared by the build's bundling scripts: bundle an entry into one CommonJS file for node, refuse
 * the result when it pulled in a module it must not hold or grew past its size ceiling, and only then move it into
 * place (temp file + rename, so a failed build never leaves a half-written bundle in dist/).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');

/**
 * @param {object} spec
 * @param {string} spec.name           the script's name, for its messages
 * @param {string} spec.entry          the entry file
 * @param {string} spec.outfile        where the bundle goes
 * @param {RegExp} spec.forbiddenInput an input path the bundle must not contain
 * @param {string} spec.forbiddenWhat  what those inputs are, for the error
 * @param {number} spec.maxBytes       the size ceiling
 * @param {boolean} spec.quiet         no line on success
 * @param {boolean} [spec.asciiOnly]  refuse a bundle with a non-ASCII character
 * @param {object} spec.options        further esbuild options (banner, external, plugins, keepNames, ...)
 */
async function buildCheckedBundle(spec) {
  fs.mkdirSync(path.dirname(spec.outfile), { recursive: true });
  const tmp = `${spec.outfile}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [spec.entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    metafile: true,
    legalComments: 'none',
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
    // jsonc-parser's `main` is a UMD wrapper whose factory requires its own modules through a parameter, which esbuild
    // cannot follow: the bundle would hold main.js alone and fail at run time. Its ES module build is the same code.
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    ...spec.options,
  });
  const inputs = Object.keys(result.metafile.inputs);
  const forbidden = inputs.filter((input) => spec.forbiddenInput.test(input));
  const size = fs.statSync(tmp).size;
  const problems = [];
  if (forbidden.length > 0) problems.push(`the bundle must not include ${spec.forbiddenWhat}, but it has: ${forbidden.slice(0, 5).join(', ')}`);
  if (size > spec.maxBytes) problems.push(`the bundle is ${size} bytes, more than ${spec.maxBytes}: something large was pulled in`);
  // esbuild escapes non-ASCII text in strings but not in regular expression literals. One such character makes node
  // decode the whole bundle as two-byte text and V8 hash and keep it so, at every start: write it as \uXXXX instead.
  if (spec.asciiOnly) {
    const bytes = fs.readFileSync(tmp);
    const at = bytes.findIndex((byte) => byte > 0x7f);
    if (at >= 0) problems.push(`the bundle must be ASCII (it is loaded at every start), but has a non-ASCII character near: ${JSON.stringify(bytes.subarray(Math.max(0, at - 60), at + 20).toString('utf8'))}`);
  }
  if (problems.length > 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(problems.join('; '));
  }
  fs.renameSync(tmp, spec.outfile);
  if (!spec.quiet) process.stdout.write(`${spec.name}: ${path.relative(root, spec.outfile)} (${(size / 1024).toFixed(0)} KiB, ${inputs.length} inputs)\n`);
}

/** Runs a bundling script's main and turns its failure into one line and exit 1. */
function runBundleScript(name, main) {
  main().catch((error) => {
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(1);
  });
}

/**
 * Replaces the file tsc wrote for `spec.entry` with a bundle taken from its packages' ES modules (`module` before
 * `main`), so that esbuild keeps only what the entry uses: the AWS SDK's CommonJS entries define every command of a
 * client. The ES modules load some of node's own modules with import() (node:http for an http:// endpoint's agent);
 * kept as import(), the first one starts node's whole ES module loader in the middle of the first request, so they
 * become require(), as in the SDK's CommonJS build. tsc's source map was of the file replaced: it goes.
 *
 * @param {object} spec buildCheckedBundle's spec, with `banner` (one comment line) instead of `options`, and
 *   `launcher` ('standalone' or 'in-process'): the bundle goes to its payload file and `outfile` becomes its
 *   code-cache launcher (writeCodeCacheLauncher), with its `saveAfterMs` or `launcherOptionsFrom` (its optionsFrom); and optionally esbuild's `plugins` and
 *   `keepNames`
 */
async function replaceWithEsModuleBundle(spec) {
  const { banner, launcher, saveAfterMs, launcherOptionsFrom, ...bundle } = spec;
  await buildEsModuleBundle({ ...bundle, banner, outfile: launcher ? payloadOf(spec.outfile) : spec.outfile, asciiOnly: !!launcher });
  if (launcher) await writeCodeCacheLauncher({ outfile: spec.outfile, banner, inProcess: launcher === 'in-process', saveAfterMs, optionsFrom: launcherOptionsFrom });
  fs.rmSync(`${spec.outfile}.map`, { force: true });
}

/**
 * The bundle of replaceWithEsModuleBundle alone, written to `spec.outfile` (no launcher): for a program whose
 * launcher runs one of several bundles (scripts/bundle-cli.js).
 *
 * @param {object} spec buildCheckedBundle's spec, with `banner` (one comment line) instead of `options`, `asciiOnly`,
 *   and optionally esbuild's `plugins` and `keepNames`
 */
async function buildEsModuleBundle(spec) {
  const { banner, plugins, keepNames, ...checked } = spec;
  await buildCheckedBundle({
    ...checked,
    quiet: process.argv.includes('--quiet'),
    options: { mainFields: ['module', 'main'], supported: { 'dynamic-import': false }, banner: { js: banner }, ...(plugins ? { plugins } : {}), ...(keepNames ? { keepNames } : {}) },
  });
}

/** Where the bundle of a program with a code-cache launcher goes: next to the launcher, `<name>.payload.js`. */
const payloadOf = (outfile) => outfile.replace(/\.js$/, '.payload.js');

/**
 * Makes `outfile` a launcher of the bundle `payloadOf(outfile)`, built before: the launcher compiles the bundle with
 * the V8 code cache of src/iam/code-cache.ts and runs it as itself (same module, same exports, same require.main),
 * so that node never compiles the bundle from its text twice in a row. The launcher is itself one small bundle, so
 * the pair (launcher + payload) needs no other file. With `requireCache`, the launcher requires the compiled
 * code-cache module beside it instead (for a bundle loaded in process, whose cache is written only in this
 * package's programs: `onlyUnder` the package's dist/).
 *
 * @param {object} spec
 * @param {string} spec.outfile  the launcher's path (the payload is beside it)
 * @param {string} spec.banner   the launcher's first lines
 * @param {boolean} [spec.inProcess] a bundle loaded into other programs (the AWS SDK of the engine)
 * @param {number} [spec.saveAfterMs] also write the cache this long after the start (a program that is killed)
 * @param {{ module: string, name: string }} [spec.optionsFrom] a standalone launcher takes runBundle's options from
 *   this TypeScript module's function, called with process.argv (what a run does decides which cache it keeps)
 * @param {{ module: string, name: string }} [spec.payloadFrom] with optionsFrom: the launcher takes the name of the
 *   bundle it runs (in its folder) from this TypeScript module's function, called with process.argv, instead of
 *   `payloadOf(outfile)`: a program built as one bundle per command
 * @param {string} [spec.modeOf] the file whose mode the launcher takes (default: payloadOf(outfile))
 */
async function writeCodeCacheLauncher(spec) {
  const payload = path.basename(payloadOf(spec.outfile));
  const payloadPath = spec.payloadFrom ? `${spec.payloadFrom.name}(process.argv)` : JSON.stringify(payload);
  const contents = spec.inProcess
    ? `const { runBundle } = require(${JSON.stringify(path.relative(path.dirname(spec.outfile), path.join(root, 'dist', 'iam', 'code-cache')).replace(/^(?!\.)/, './'))});\n` +
      `runBundle(require('path').join(__dirname, ${JSON.stringify(payload)}), module, { onlyUnder: require('path').resolve(__dirname, ${JSON.stringify(path.relative(path.dirname(spec.outfile), path.join(root, 'dist')))}) });\n`
    : spec.optionsFrom
      ? `import { runBundle } from ${JSON.stringify(path.join(root, 'src', 'iam', 'code-cache.ts'))};\n` +
        `import { ${spec.optionsFrom.name} } from ${JSON.stringify(spec.optionsFrom.module)};\n` +
        (spec.payloadFrom ? `import { ${spec.payloadFrom.name} } from ${JSON.stringify(spec.payloadFrom.module)};\n` : '') +
        `runBundle(require('path').join(__dirname, ${payloadPath}), module, ${spec.optionsFrom.name}(process.argv));\n`
      : `import { runBundle } from ${JSON.stringify(path.join(root, 'src', 'iam', 'code-cache.ts'))};\n` +
        `runBundle(require('path').join(__dirname, ${JSON.stringify(payload)}), module${spec.saveAfterMs ? `, { saveAfterMs: ${spec.saveAfterMs} }` : ''});\n`;
  const tmp = `${spec.outfile}.${process.pid}.tmp`;
  if (spec.inProcess) {
    fs.writeFileSync(tmp, `${spec.banner}\n'use strict';\n${contents}`);
  } else {
    await esbuild.build({
      stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'launcher.ts' },
      outfile: tmp,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: false,
      legalComments: 'none',
      tsconfig: path.join(root, 'tsconfig.json'),
      logLevel: 'warning',
      banner: { js: spec.banner },
    });
  }
  fs.chmodSync(tmp, fs.statSync(spec.modeOf ?? payloadOf(spec.outfile)).mode);
  fs.renameSync(tmp, spec.outfile);
}

module.exports = { buildCheckedBundle, buildEsModuleBundle, replaceWithEsModuleBundle, runBundleScript, writeCodeCacheLauncher, payloadOf, root };
