#!/usr/bin/env node
/**
 * `prepack` / `postpack` pair: the packed package.json must not carry this repository's `prepare` script.
 *
 * `prepare` runs scripts/unshadow-node.js, a development chore of this clone (scripts/ is not shipped). Left in
 * the packed manifest, npm counts it as an install script of every project that installs the tarball (a `file:`
 * dependency is not a registry one, so npm would list it, or run it and fail on the missing file).
 *
 *   node scripts/pack-manifest.js strip     before packing: keep package.json aside, write it without `prepare`
 *   node scripts/pack-manifest.js restore   after packing: put the kept package.json back, byte for byte
 *
 * A pack that died between the two leaves the kept copy behind; the next `strip` restores it first.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const manifest = path.join(root, 'package.json');
const kept = path.join(root, '.package.json.before-pack');

function restore() {
  if (fs.existsSync(kept)) fs.renameSync(kept, manifest);
}

function strip() {
  restore();
  const text = fs.readFileSync(manifest, 'utf8');
  const parsed = JSON.parse(text);
  if (!parsed.scripts || parsed.scripts.prepare === undefined) return;
  fs.copyFileSync(manifest, kept);
  delete parsed.scripts.prepare;
  const temporary = `${manifest}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(parsed, null, 2)}\n`);
  fs.renameSync(temporary, manifest);
}

const mode = process.argv[2];
if (mode === 'strip') strip();
else if (mode === 'restore') restore();
else {
  process.stderr.write(`pack-manifest: unknown mode ${JSON.stringify(mode)}; expected strip or restore\n`);
  process.exit(2);
}
