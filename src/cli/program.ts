import { Command } from 'commander';

/**
 * The `access-advisor` command. Each subcommand lives in `commands/<name>.ts` and exports
 * `register(program: Command): void`; this module only assembles them.
 */
export function buildProgram(): Command {
  const program = new Command('access-advisor');
  program.description('IAM access advisor reports for pipelines, cdktf stacks and Terraform.');
  return program;
}
