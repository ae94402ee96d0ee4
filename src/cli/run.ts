/**
 * The `access-advisor` program: parses the command line and runs the command. Loaded by the CLI's entry (main.ts),
 * either from dist/ file by file or, for the report commands, as part of their one-file bundle
 * (scripts/bundle-cli.js), which holds this module and everything the report commands load.
 */
import { CommanderError } from 'commander';
import { reportError } from './subcommand';
import { EXIT, exitCodeOf } from './exit-codes';
import { buildProgram } from './program';
import { endsWithItsAction, exitWhenFlushed } from './prompt-exit';
import { redact } from '../model/redact';

// The one exit for text on stderr: whatever writes there (our errors, --debug detail, the SDK's or Node's warnings,
// a server's text inside them) passes the redaction step first, so credentials never reach a terminal or a CI log.
const writeStderr = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
  writeStderr(typeof chunk === 'string' ? redact(chunk) : Buffer.isBuffer(chunk) ? redact(chunk.toString('utf8')) : chunk, ...rest)) as typeof process.stderr.write;

// The SDK warns on every run that Node 20 support ends in 2027: not actionable inside a pipeline step, and 8 lines
// of noise on stderr. Still shown with --debug.
if (!process.argv.includes('--debug')) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `access-advisor … | head`: the reader is gone, so is the point of writing; stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; every other parser complaint is a usage error (2), never commander's 1.
      process.exitCode = error.exitCode === 0 ? EXIT.success : EXIT.usage;
      return;
    }
    reportError(error, process.argv.includes('--debug'));
    process.exitCode = exitCodeOf(error);
  })
  // A report command is over once its action settled: the process ends then, without the teardown of a natural exit.
  .then(() => (endsWithItsAction(process.argv) ? exitWhenFlushed() : undefined));
