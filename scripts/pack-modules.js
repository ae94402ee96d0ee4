#!/usr/bin/env node
/**
 * Writes dist/synth-pack.js: the compiled modules a synth served from the cache runs (the report constructs, the gate
 * and every module they require at load, about 35), each as a function in one file, which
 * src/constructs/module-pack.ts compiles as one script with a V8 code cache and runs one module at a time, each
 * under its own file's name in require.cache (so no module exists twice, whichever way it was loaded). Then points the package index's getters
 * of those constructs at the pack (the other exports keep loading their files on first use).
 *
 * Node 20 has no compile cache: resolving, reading and compiling the modules one by one was more than half of what
 * the package added to a cache-hit synth (issue 26). The modules themselves stay in dist/ as they are: everything
 * else loads them from there, and the pack takes a module from require.cache when it was loaded first.
 *
 * The pack is ASCII (V8 keeps a non-ASCII script as two-byte text at every start): esbuild escapes strings, and any
 * other character left (a regular expression's) is written as a \uXXXX escape, which means the same there; a tagged
 * template with one is refused (its raw text would change). Checked before the pack replaces anything: every packed
 * module, run through the pack in a child process, exports the same names as its file.
 *
 * Usage: node scripts/pack-modules.js [--quiet]   (after tsc and scripts/lazy-barrels.js: it reads dist/)
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { Buffer } = require('buffer');
const ts = require('typescript');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const PACK = path.join(dist, 'synth-pack.js');
const INDEX = path.join(dist, 'index.js');
const quiet = process.argv.includes('--quiet');

/** The constructs of a cache-hit synth; the pack is them and what they require at load. */
const ENTRIES = ['constructs/service-last-accessed-report.js', 'constructs/least-privilege-gate.js', 'constructs/organizations-access-report.js'];
/** A pack that grows past this pulled in more than the cache-hit path (today about 250 KB). */
const MAX_BYTES = 400 * 1024;

const parse = (file) => ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);

/** The built file a relative specifier of `from` names, or undefined (a JSON file, a folder without index.js). */
function resolveRelative(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  return [base, `${base}.js`, path.join(base, 'index.js')].find((f) => f.endsWith('.js') && fs.existsSync(f) && fs.statSync(f).isFile());
}

/** Every `require("./x")` of a file: `atLoad` when it runs as the module loads (not inside a function). */
function relativeRequires(source) {
  const found = [];
  const visit = (node, inFunction) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) {
      const [arg] = node.arguments;
      if (ts.isStringLiteral(arg) && arg.text.startsWith('.')) found.push({ specifier: arg.text, atLoad: !inFunction });
    }
    ts.forEachChild(node, (child) => visit(child, inFunction || ts.isFunctionLike(node)));
  };
  visit(source, false);
  return found;
}

function members() {
  const seen = new Map(); // file -> parsed source
  const queue = ENTRIES.map((entry) => path.join(dist, entry));
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    const source = parse(file);
    seen.set(file, source);
    for (const { specifier, atLoad } of relativeRequires(source)) {
      const target = atLoad ? resolveRelative(file, specifier) : undefined;
      if (target) queue.push(target);
    }
  }
  return seen;
}

/** `text` with every non-ASCII UTF-16 unit as \uXXXX; refused inside a tagged template, where it would change the raw text. */
function asciiOnly(file, source, text) {
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && /[\u0080-\uffff]/.test(node.template.getText())) {
      throw new Error(`${path.relative(root, file)}: a tagged template holds a non-ASCII character; escape it in the source`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The pack: a script whose value is an object of each module's path under dist/ (`keys`), its links to other packed
 * modules (`links`: specifier -> index) and its text as a function with node's five module parameters (`bodies`). The texts
 * lose their comments and indentation (esbuild, whitespace only: names and syntax stay as tsc wrote them): every
 * start reads, hashes and decodes the whole pack, and stack traces name the pack's lines anyway.
 */
function packText(sources) {
  const files = [...sources.keys()].sort();
  const indexOf = new Map(files.map((file, i) => [file, i]));
  const keys = files.map((file) => path.relative(dist, file).split(path.sep).join('/'));
  const links = files.map((file) => {
    const linked = {};
    for (const { specifier } of relativeRequires(sources.get(file))) {
      const target = resolveRelative(file, specifier);
      if (target !== undefined && indexOf.has(target)) linked[specifier] = indexOf.get(target);
    }
    return linked;
  });
  const bodies = files.map((file, i) => {
    const { code } = esbuild.transformSync(sources.get(file).text, { loader: 'js', minifyWhitespace: true, charset: 'ascii', legalComments: 'none', sourcefile: keys[i] });
    const text = asciiOnly(file, ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS), code);
    return `// ${keys[i]}\nfunction (exports, require, module, __filename, __dirname) {\n${text}\n}`;
  });
  return (
    '// cdktf-access-advisor: the modules of a synth served from the cache, one function each (scripts/pack-modules.js; run by dist/constructs/module-pack.js)\n' +
    `({\nkeys: ${JSON.stringify(keys)},\n` +
    `links: ${JSON.stringify(links)},\n` +
    `bodies: [\n${bodies.join(',\n')}\n]\n});\n`
  );
}

/**
 * The index's getters of the packed constructs read them through the pack: `require("./constructs/x")` in a lazy
 * getter (scripts/lazy-barrels.js) becomes `__packed("constructs/x.js")`, defined on the first line (no line moves).
 */
function pointIndexAtPack(keys) {
  const text = fs.readFileSync(INDEX, 'utf8');
  let pointed = 0;
  const result = text.replace(/function \(\) \{ return require\("(\.\/[^"]+)"\); \}/g, (whole, specifier) => {
    const target = resolveRelative(INDEX, specifier);
    const key = target && path.relative(dist, target).split(path.sep).join('/');
    if (!key || !ENTRIES.includes(key)) return whole;
    pointed += 1;
    return `function () { return __packed(${JSON.stringify(key)}); }`;
  });
  if (pointed !== ENTRIES.length) throw new Error(`dist/index.js: expected a lazy getter for each of ${ENTRIES.join(', ')}, found ${pointed} (run after lazy-barrels.js)`);
  if (!keys.every((key) => !key.startsWith('index.js'))) throw new Error('the pack must not hold the index');
  const strict = '"use strict";';
  if (!result.startsWith(strict)) throw new Error(`dist/index.js: expected tsc's ${strict} first`);
  const helper = ' var __packed = function (key) { return require("./constructs/module-pack").requirePacked(key); };';
  return strict + helper + result.slice(strict.length);
}

/** Every packed module's export names, loaded through the pack (`viaPack`) or from its file, in a fresh node. */
function exportNames(keys, viaPack) {
  const program = `
const path = require('path');
const dist = ${JSON.stringify(dist)};
const load = ${viaPack} ? require(path.join(dist, 'constructs', 'module-pack.js')).requirePacked : (key) => require(path.join(dist, key));
const names = {};
for (const key of ${JSON.stringify(keys)}) names[key] = Object.keys(load(key)).sort();
if (${viaPack} && !Object.keys(require.cache).includes(path.join(dist, ${JSON.stringify(keys[0])}))) throw new Error('the pack did not register its modules in require.cache');
process.stdout.write(JSON.stringify(names));
`;
  // No code cache from this run: it would be kept as the pack's, holding little more than the modules' top levels.
  return execFileSync(process.execPath, ['-e', program], { encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' } });
}

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function main() {
  const sources = members();
  const text = packText(sources);
  if (Buffer.byteLength(text) > MAX_BYTES) throw new Error(`the pack is ${Buffer.byteLength(text)} bytes, more than ${MAX_BYTES}: something large was pulled in`);
  if (/[\u0080-\uffff]/.test(text)) throw new Error('internal: the pack is not ASCII');
  const keys = [...sources.keys()].map((file) => path.relative(dist, file).split(path.sep).join('/')).sort();
  const index = pointIndexAtPack(keys);
  writeAtomic(PACK, text);
  const viaFiles = exportNames(keys, false);
  const viaPack = exportNames(keys, true);
  if (viaFiles !== viaPack) {
    fs.rmSync(PACK, { force: true });
    throw new Error(`a packed module exports other names than its file: ${viaPack} instead of ${viaFiles}`);
  }
  writeAtomic(INDEX, index);
  if (!quiet) process.stdout.write(`pack-modules: dist/synth-pack.js (${keys.length} modules, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB)\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`pack-modules: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
