// Runs the `emulator` subcommand exactly as `access-advisor emulator …` does, without needing a build.
import { Command } from 'commander';
import { register } from '../../src/cli/commands/emulator';

const program = new Command('access-advisor');
register(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`access-advisor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
