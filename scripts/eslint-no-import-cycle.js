/**
 * ESLint rule `layers/no-import-cycle`: an import or re-export (type-only ones included) from which the importing file
 * can be reached again is an error, naming the whole cycle. Type-only cycles count: they are the knots that make a
 * reader go round in circles, and a type import turns into a value import with one edit.
 *
 * Edges are the static `import … from`, `export … from` and `import x = require()` declarations of relative paths.
 * `require()` and `import()` calls are not edges: they are the deliberate, late loads listed in docs/architecture.md.
 * The linted file is read from the linter (so a fixture can be linted as text); every other file from disk, parsed
 * once per process.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const EXTENSIONS = ['.ts', '.tsx', '.d.ts', '/index.ts'];
const edgeCache = new Map();

/** The relative module specifiers a file imports statically, with their nodes' positions. */
function staticImports(text, fileName) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found = [];
  for (const statement of source.statements) {
    let specifier;
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      specifier = statement.moduleSpecifier.text;
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
      const expression = statement.moduleReference.expression;
      if (ts.isStringLiteral(expression)) specifier = expression.text;
    }
    if (specifier && specifier.startsWith('.')) found.push(specifier);
  }
  return found;
}

function resolveSpecifier(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base, ...EXTENSIONS.map((ext) => base + ext)]) {
    if (/\.tsx?$/.test(candidate) && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function edgesOf(file) {
  let edges = edgeCache.get(file);
  if (!edges) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // unreadable: no edges
    }
    edges = staticImports(text, file).map((s) => resolveSpecifier(file, s)).filter(Boolean);
    edgeCache.set(file, edges);
  }
  return edges;
}

/** A path of files from `start` back to `target`, or undefined (depth-first, each file visited once). */
function pathBack(start, target) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length > 0) {
    const [file, trail] = stack.pop();
    if (file === target) return trail;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const next of edgesOf(file)) stack.push([next, [...trail, next]]);
  }
  return undefined;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid import cycles between modules, type-only imports included' },
    schema: [],
    messages: { cycle: 'import cycle: {{cycle}}' },
  },
  create(context) {
    const file = context.filename;
    const root = context.cwd;
    const check = (node, specifier) => {
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = resolveSpecifier(file, specifier);
      if (!target) return;
      const trail = pathBack(target, file);
      if (trail) context.report({ node, messageId: 'cycle', data: { cycle: [file, ...trail].map((f) => path.relative(root, f)).join(' → ') } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      TSImportEqualsDeclaration: (node) =>
        node.moduleReference.type === 'TSExternalModuleReference' && check(node, node.moduleReference.expression.value),
    };
  },
};

module.exports = { rules: { 'no-import-cycle': rule } };
