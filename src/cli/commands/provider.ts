import type { Command } from 'commander';
import { action, emit } from '../subcommand';
import { CliInputError, EXIT } from '../exit-codes';
import { addExamples } from '../help';

interface InstallFlags {
  dir?: string;
}

/** `access-advisor provider install`: puts the Terraform provider where `terraform init` finds it. */
export function register(program: Command): void {
  const provider = program.command('provider').description('the accessadvisor Terraform provider served by this package');
  const install = provider
    .command('install')
    .summary('install the Terraform provider into a local plugin directory')
    .description(
      'Writes a launcher for the accessadvisor provider (source local.invalid/cdktf-access-advisor/accessadvisor) into ' +
        "Terraform's implied local mirror, ~/.terraform.d/plugins by default, or into --dir (e.g. terraform.d/plugins " +
        'beside one configuration). Prints where it went and the required_providers entry.',
    )
    .option('--dir <directory>', 'plugin directory to install into (default ~/.terraform.d/plugins)');
  addExamples(
    install,
    `  $ access-advisor provider install
  $ access-advisor provider install --dir terraform.d/plugins   # for this configuration only
  # then, in Terraform:
  #   terraform { required_providers { accessadvisor = { source = "local.invalid/cdktf-access-advisor/accessadvisor" } } }`,
  );
  install.action(
    action<InstallFlags>(async (ctx, flags) => {
      const { installProvider } = require('../../provider/install') as typeof import('../../provider/install');
      const { version } = require('../../../package.json') as { version: string };
      let result: ReturnType<typeof installProvider>;
      try {
        result = installProvider({ version, ...(flags.dir !== undefined ? { dir: flags.dir } : {}) });
      } catch (error) {
        // The directory cannot take the launcher (permissions, a file in the way, Windows): an input problem.
        const message = error instanceof Error ? error.message : String(error);
        throw new CliInputError(`--dir ${JSON.stringify(flags.dir ?? '~/.terraform.d/plugins')}: ${message}`);
      }
      await emit(ctx, { ...result, requiredProviders: { accessadvisor: { source: result.source, version: result.version } } });
      return EXIT.success;
    }),
  );
}
