import { Option, type Command } from 'commander';
import { SORT_KEYS, type SortKey } from '../../model/report';
import { action, emit, errorLine } from '../subcommand';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { addExamples } from '../help';
import { runOne } from '../reports';

interface Flags {
  entityPath: string;
  policyId?: string;
  sortKey?: SortKey;
}

export function register(program: Command): void {
  const command = program
    .command('org-report')
    .summary('which services the SCPs allow on an organizations entity, and when accounts under it last used each')
    .description(
      'Runs GenerateOrganizationsAccessReport from the management account for a root, OU or account, waits for ' +
        'the job and prints the normalized report (every page merged).',
    )
    .requiredOption('--entity-path <path>', 'o-ORG/r-ROOT[/ou-…]*[/ACCOUNT], e.g. o-a1b2c3d4e5/r-f6g7h8i9j0example')
    .option('--policy-id <id>', 'an SCP id (p-…): report only the services that policy allows')
    .addOption(new Option('--sort-key <key>', 'order of the access details').choices(SORT_KEYS));
  addExamples(
    command,
    `  $ access-advisor org-report --entity-path o-a1b2c3d4e5/r-f6g7h8i9j0example --output table
  $ access-advisor org-report --entity-path o-a1b2c3d4e5/r-f6g7h8i9j0example/ou-1a2b-34uvwxyz \\
      --sort-key LAST_AUTHENTICATED_TIME_DESCENDING --query 'accessDetails[].serviceNamespace'`,
  );
  command.action(
    action<Flags>(async (ctx, flags) => {
      const report = await runOne(ctx, {
        kind: 'organizations-access',
        entityPath: flags.entityPath,
        ...(flags.policyId !== undefined ? { organizationsPolicyId: flags.policyId } : {}),
        ...(flags.sortKey !== undefined ? { sortKey: flags.sortKey } : {}),
      });
      await emit(ctx, report, 'json', ctx.output === 'html' ? { entityNames: await entityNamesOf(ctx, flags.entityPath) } : {});
      return EXIT.success;
    }),
  );
}

/**
 * Account and OU names for the HTML page's entity tree, best effort: without them (no organizations:List* permission)
 * the page shows ids, and one note says why.
 */
async function entityNamesOf(ctx: CliContext, entityPath: string): Promise<ReadonlyMap<string, string>> {
  const { listEntityNames } = require('../../iam/org-names') as typeof import('../../iam/org-names');
  try {
    return await listEntityNames(ctx.connection, entityPath, ctx.signal);
  } catch (error) {
    ctx.log(`access-advisor: note: the page shows account and OU ids without names: ${errorLine(error)}`);
    return new Map();
  }
}
