import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Imported first by the programs of this package (the CLI, the synth worker): turns on Node's on-disk cache of
 * compiled code for the rest of the process, before anything else loads. After the AWS SDK's own start-up work,
 * compiling its hundreds of files is the largest cost of a cold report; from the second run on, Node reads them
 * compiled.
 *
 * Node 22.1+ has `module.enableCompileCache()`; on Node 20 this does nothing. The directory is Node's default, a
 * folder in the system temp directory; with NODE_COMPILE_CACHE set Node has already enabled its cache at start, and
 * NODE_DISABLE_COMPILE_CACHE turns it off. The cache only ever saves time: the folder is used only once it exists and
 * is writable (Node 22 was seen to spin forever on a cache directory under /proc), and anything thrown is ignored,
 * so a read-only, odd or full temp directory never fails a report. In a temp directory other users share, the folder
 * is used only when this user owns it and nobody else may write to it: compiled code from a folder someone else can
 * write would run as ours.
 */
const enable = (nodeModule as { enableCompileCache?: (directory?: string) => unknown }).enableCompileCache;
if (typeof enable === 'function' && !process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    const directory = join(tmpdir(), 'node-compile-cache');
    // Not recursive: the temp directory itself must exist (Node's recursive mkdir also spins under /proc).
    if (!existsSync(directory)) mkdirSync(directory, { mode: 0o700 });
    accessSync(directory, constants.W_OK);
    const folder = statSync(directory);
    const ownedByUs = typeof process.getuid !== 'function' || folder.uid === process.getuid();
    if (ownedByUs && (folder.mode & 0o022) === 0) enable(directory);
  } catch {
    // Only an optimisation: the program runs the same without it.
  }
}
