#!/usr/bin/env node
/**
 * `npm run build` starts from an empty dist/: tsc only adds and overwrites, so a module that was moved or deleted
 * (say, a test-only file that left src/) would otherwise stay in dist/ and ship in the next `npm pack`.
 */
'use strict';
const fs = require('fs');
const path = require('path');

fs.rmSync(path.resolve(__dirname, '..', 'dist'), { recursive: true, force: true });
