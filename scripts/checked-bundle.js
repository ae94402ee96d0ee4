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
    ...spec.options,
  });
  const inputs = Object.keys(result.metafile.inputs);
  const forbidden = inputs.filter((input) => spec.forbiddenInput.test(input));
  const size = fs.statSync(tmp).size;
  const problems = [];
  if (forbidden.length > 0) problems.push(`the bundle must not include ${spec.forbiddenWhat}, but it has: ${forbidden.slice(0, 5).join(', ')}`);
  if (size > spec.maxBytes) problems.push(`the bundle is ${size} bytes, more than ${spec.maxBytes}: something large was pulled in`);
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
 * @param {object} spec buildCheckedBundle's spec, with `banner` (one comment line) instead of `options`
 */
async function replaceWithEsModuleBundle(spec) {
  const { banner, ...checked } = spec;
  await buildCheckedBundle({
    ...checked,
    quiet: process.argv.includes('--quiet'),
    options: { mainFields: ['module', 'main'], supported: { 'dynamic-import': false }, banner: { js: banner } },
  });
  fs.rmSync(`${spec.outfile}.map`, { force: true });
}

module.exports = { buildCheckedBundle, replaceWithEsModuleBundle, runBundleScript, root };
