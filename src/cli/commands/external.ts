import type { Command } from 'commander';
import { EXTERNAL_QUERY_KEYS, PROGRESS_ENV } from '../../resolve/external-protocol';

/**
 * `access-advisor external`: the plan-time program on stdin/stdout, exactly as Terraform's external data source
 * runs the bundled file — handy to try a query by hand or to point `program` at an installed CLI. The connection
 * comes from the query (`region`, `profile`, `role_arn`, `endpoint`) or the environment, like the bundled program;
 * the global connection flags do not apply.
 */
export function register(program: Command): void {
  program
    .command('external')
    .description(
      "Run one report with Terraform's external data source protocol: a JSON object of strings on stdin, " +
        'a flat JSON object of strings on stdout; on failure exit ≠ 0 and one line on stderr.',
    )
    .addHelpText(
      'after',
      `\nQuery keys: ${EXTERNAL_QUERY_KEYS.join(', ')}.\n` +
        `Progress lines on stderr: query "progress": "true" or ${PROGRESS_ENV}=1.\n` +
        'Example:\n' +
        `  echo '{"arn":"arn:aws:iam::123456789012:role/app","granularity":"ACTION_LEVEL"}' | access-advisor external`,
    )
    .action(async () => {
      // Loaded here, not at the top: the AWS SDK must not slow down `access-advisor --help`.
      const { runExternalMain } = require('../external-main') as typeof import('../external-main');
      const { runExternalProgram } = require('../../resolve/external-program') as typeof import('../../resolve/external-program');
      await runExternalMain(runExternalProgram);
    });
}
