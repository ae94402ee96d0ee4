import type { ExternalProgramEnvironment, ExternalProgramOutcome } from '../resolve/external-program';
import { planProgramExitCode } from './exit-codes';

type Program = (stdinText: string, environment: ExternalProgramEnvironment) => Promise<ExternalProgramOutcome>;

/**
 * Process plumbing shared by the bundled program and `access-advisor external`: read stdin to the end, run,
 * write the outcome, exit with the status its error kind maps to (the CLI's exit codes). Node's default warning printer is removed because any stray stderr line (a
 * deprecation notice from a dependency) would break the "exactly one stderr line on failure" contract; warnings
 * are shown only when progress is on.
 */
export async function runExternalMain(program: Program): Promise<void> {
  process.removeAllListeners('warning');
  const progressOn = () => /^(1|true|yes)$/i.test(process.env.ACCESS_ADVISOR_EXTERNAL_PROGRESS ?? '');
  process.on('warning', (warning) => {
    if (progressOn()) process.stderr.write(`access-advisor external: warning: ${warning.message.replace(/\s+/g, ' ')}\n`);
  });

  let outcome: ExternalProgramOutcome;
  try {
    const stdinText = await readStdin();
    outcome = await program(stdinText, {
      env: process.env,
      writeProgress: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    // runExternalProgram never throws; this guards reading stdin and anything unforeseen.
    const message = error instanceof Error ? error.message : String(error);
    outcome = { errorKind: 'internal', stdout: '', stderr: `access-advisor external: ${message.replace(/\s+/g, ' ')}\n` };
  }
  if (outcome.stdout) await write(process.stdout, outcome.stdout);
  if (outcome.stderr) await write(process.stderr, outcome.stderr);
  // Exit explicitly: keep-alive sockets of the SDK must not hold Terraform waiting.
  process.exit(outcome.errorKind === undefined ? 0 : planProgramExitCode(outcome.errorKind));
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}
