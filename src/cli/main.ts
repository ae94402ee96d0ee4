#!/usr/bin/env node
// First, before anything else loads: compiled code comes from Node's cache when it has one (Node 22+).
import '../iam/enable-compile-cache';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_COMMANDS, firstCommandWord } from './command-word';

/**
 * The CLI's entry. A report command runs from report-cli.js, the launcher of the build's one-file bundle of the
 * program with that command, the engine and the AWS SDK, compiled from a V8 code cache (scripts/bundle-cli.js): its cold start
 * is most of what a user waits for beyond the job, and node resolving, reading and compiling a hundred and fifty
 * files was most of that. Every other command, and every run without that file (sources, a bare `tsc`), loads the
 * program from dist/ file by file. Both are the same program: only the way it is loaded differs.
 */
const bundle = join(__dirname, 'report-cli.js');

/**
 * The bundle is built after tsc (npm run build). A later bare `tsc` (a test harness, a developer) rewrites dist/ but
 * not the bundle: then the bundle holds older code than dist/, and the program runs from dist/ instead. A package
 * manager that writes the installed files with the time of writing (not the tarball's) may write run.js a moment
 * after the bundle: seconds apart are not a later build.
 */
const LATER_BUILD_MS = 2000;
function bundleIsCurrent(): boolean {
  try {
    return statSync(join(__dirname, 'run.js')).mtimeMs - statSync(bundle).mtimeMs < LATER_BUILD_MS;
  } catch {
    return false;
  }
}

const word = firstCommandWord(process.argv);
if (word !== undefined && BUNDLED_COMMANDS.has(word) && bundleIsCurrent()) require(bundle);
else require('./run');
