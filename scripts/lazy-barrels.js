#!/usr/bin/env node
/**
 * Makes the compiled barrel modules (every dist/**\/index.js) load what they re-export on first use, not when the
 * barrel loads. tsc compiles `export { X } from './x'` to an eager `var x_1 = require('./x')` plus a getter, and
 * `export * from './x'` to an eager `__exportStar(require('./x'), exports)`: importing the package then runs every
 * module it exports, although a synth served from the cache needs a few of them (issue 13: the cache-hit synth
 * process). aws-cdk-lib rewrites its compiled barrels the same way for the same reason.
 *
 * The rewrite is narrow and checked:
 * - `var x_1 = require("./x");` becomes lazy only when every use of `x_1` is a tsc re-export getter
 *   (`get: function () { return x_1.Name; }`); the getter then reads `require("./x").Name`. Anything else keeps it eager.
 * - `__exportStar(require("./x"), exports);` becomes one getter per name the module exports, learned by loading
 *   the built module here, at build time; a name the barrel already exports is skipped, as __exportStar skips it.
 * Edits keep every line where it was, so the source maps stay right. The rewritten barrel must export exactly the
 * names the original did (checked by loading both); files are replaced atomically.
 *
 * Usage: node scripts/lazy-barrels.js [--quiet]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const quiet = process.argv.includes('--quiet');

function barrels(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'external' && dir === dist ? [] : barrels(full);
    return entry.name === 'index.js' ? [full] : [];
  });
}

/** `require("<literal>")`, or undefined. */
function requiredPath(node) {
  if (!node || !ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'require') return undefined;
  const [arg] = node.arguments;
  return node.arguments.length === 1 && ts.isStringLiteral(arg) && arg.text.startsWith('.') ? arg.text : undefined;
}

/** The `x_1` and `Name` of tsc's `Object.defineProperty(exports, "Name", { enumerable: true, get: function () { return x_1.Name; } })`. */
function reExportGetter(statement) {
  if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) return undefined;
  const call = statement.expression;
  if (call.expression.getText() !== 'Object.defineProperty' || call.arguments.length !== 3) return undefined;
  const [target, name, descriptor] = call.arguments;
  if (target.getText() !== 'exports' || !ts.isStringLiteral(name) || !ts.isObjectLiteralExpression(descriptor)) return undefined;
  const get = descriptor.properties.find((p) => p.name && p.name.getText() === 'get');
  const fn = get && ts.isPropertyAssignment(get) ? get.initializer : undefined;
  const body = fn && ts.isFunctionExpression(fn) ? fn.body.statements : [];
  const ret = body.length === 1 && ts.isReturnStatement(body[0]) ? body[0].expression : undefined;
  if (!ret || !ts.isPropertyAccessExpression(ret) || !ts.isIdentifier(ret.expression)) return undefined;
  return { binding: ret.expression, exported: name.text };
}

/** One statement that defines lazy getters for `names`, read from `specifier` on first access. */
const lazyExportsText = (specifier, names) =>
  `${LAZY_HELPER}(exports, function () { return require(${JSON.stringify(specifier)}); }, ${JSON.stringify(names)});`;

// Defined on the first line (after "use strict"), so no line moves.
const LAZY_HELPER = '__lazyExports';
const LAZY_HELPER_TEXT =
  `var ${LAZY_HELPER} = function (target, load, names) { names.forEach(function (name) { ` +
  'Object.defineProperty(target, name, { enumerable: true, get: function () { return load()[name]; } }); }); };';

/** Replaces a range with text of the same number of lines (blank lines pad a shorter text). */
function keepLines(original, replacement) {
  const missing = original.split('\n').length - replacement.split('\n').length;
  if (missing < 0) throw new Error(`internal: a replacement of ${JSON.stringify(original)} adds lines`);
  return replacement + '\n'.repeat(missing);
}

function rewrite(file) {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const edits = [];
  const eager = new Map(); // binding -> { specifier, statement, getters }
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
      const [declaration] = statement.declarationList.declarations;
      const specifier = requiredPath(declaration.initializer);
      if (specifier && ts.isIdentifier(declaration.name)) eager.set(declaration.name.text, { specifier, statement, getters: [] });
    }
  }
  // Every use of a binding must be a re-export getter, or it stays eager.
  const otherUses = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node) && eager.has(node.text)) {
      const entry = eager.get(node.text);
      const inDeclaration = node.parent === entry.statement.declarationList.declarations[0];
      const getter = inDeclaration ? undefined : enclosingGetter(node);
      if (getter) entry.getters.push(getter);
      else if (!inDeclaration) otherUses.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  const enclosingGetter = (identifier) => {
    let statement = identifier;
    while (statement.parent && statement.parent !== source) statement = statement.parent;
    const getter = reExportGetter(statement);
    return getter && getter.binding === identifier ? { statement, ...getter } : undefined;
  };
  visit(source);
  for (const [binding, entry] of eager) {
    if (otherUses.has(binding) || entry.getters.length === 0) continue;
    const names = entry.getters.map((getter) => getter.exported);
    edits.push({ start: entry.statement.getStart(), end: entry.statement.getEnd(), text: lazyExportsText(entry.specifier, names) });
    for (const getter of entry.getters) edits.push({ start: getter.statement.getStart(), end: getter.statement.getEnd(), text: '' });
  }
  // __exportStar(require("./x"), exports): the names come from the built module itself.
  const ownNames = new Set(Object.keys(require(file)));
  const explicit = explicitExports(source);
  const starred = new Set();
  for (const statement of source.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
    const call = statement.expression;
    if (!ts.isIdentifier(call.expression) || call.expression.text !== '__exportStar' || call.arguments.length !== 2) continue;
    const specifier = requiredPath(call.arguments[0]);
    if (!specifier || call.arguments[1].getText() !== 'exports') continue;
    const names = Object.keys(require(path.resolve(path.dirname(file), specifier))).filter(
      (name) => name !== 'default' && name !== '__esModule' && !explicit.has(name) && !starred.has(name),
    );
    names.forEach((name) => starred.add(name));
    edits.push({ start: statement.getStart(), end: statement.getEnd(), text: names.length > 0 ? lazyExportsText(specifier, names) : '' });
  }
  if (edits.length === 0) return { file, changed: false };
  dropDeadHelpers(source, edits);
  const strict = source.statements[0];
  if (!strict || strict.getText() !== '"use strict";') throw new Error(`${path.relative(root, file)}: expected tsc's "use strict"; first`);
  edits.push({ start: strict.getEnd(), end: strict.getEnd(), text: ` ${LAZY_HELPER_TEXT}` });
  let result = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + keepLines(text.slice(edit.start, edit.end), edit.text) + result.slice(edit.end);
  }
  return { file, changed: true, text: result, ownNames };
}

/**
 * tsc's `__exportStar` and `__createBinding` helpers, once no statement left uses them, are removed too (in that
 * order: the first uses the second). A helper still used elsewhere (`__importStar` needs `__createBinding`) stays.
 */
function dropDeadHelpers(source, edits) {
  const edited = (node) => edits.some((edit) => node.getStart() >= edit.start && node.getEnd() <= edit.end);
  for (const name of ['__exportStar', '__createBinding']) {
    const declaration = source.statements.find(
      (s) => ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name),
    );
    if (!declaration) continue;
    let used = false;
    const visit = (node) => {
      if (used || node === declaration || edited(node)) return;
      if (ts.isIdentifier(node) && node.text === name) used = true;
      else ts.forEachChild(node, visit);
    };
    visit(source);
    if (!used) edits.push({ start: declaration.getStart(), end: declaration.getEnd(), text: '' });
  }
}

/** Names tsc hoists as `exports.A = exports.B = void 0;` (the barrel's own explicit exports). */
function explicitExports(source) {
  const names = new Set();
  const collect = (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      if (ts.isPropertyAccessExpression(node.left) && node.left.expression.getText() === 'exports') names.add(node.left.name.text);
      collect(node.right);
    }
  };
  for (const statement of source.statements) if (ts.isExpressionStatement(statement)) collect(statement.expression);
  return names;
}

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function main() {
  const results = barrels(dist).map(rewrite).filter((r) => r.changed);
  for (const result of results) writeAtomic(result.file, result.text);
  // The rewritten barrels, loaded fresh, must export what the originals did.
  for (const key of Object.keys(require.cache)) if (key.startsWith(dist)) delete require.cache[key];
  for (const result of results) {
    const names = new Set(Object.keys(require(result.file)));
    const lost = [...result.ownNames].filter((n) => !names.has(n));
    const added = [...names].filter((n) => !result.ownNames.has(n));
    if (lost.length || added.length) {
      throw new Error(`${path.relative(root, result.file)}: the lazy barrel lost [${lost.join(', ')}] and added [${added.join(', ')}]`);
    }
  }
  if (!quiet) process.stdout.write(`lazy-barrels: ${results.map((r) => path.relative(root, r.file)).join(', ')}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`lazy-barrels: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
