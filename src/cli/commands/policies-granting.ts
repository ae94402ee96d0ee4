import type { Command } from 'commander';
import { action, emit } from '../subcommand';
import { EXIT } from '../exit-codes';
import { addExamples } from '../help';
import { createProgress } from '../progress';
import { baseOptions, engine } from '../reports';

interface Flags {
  arn: string;
  service: string[];
}

export function register(program: Command): void {
  const command = program
    .command('policies-granting')
    .summary('which policies grant a user, group or role access to the given services')
    .description(
      'Calls ListPoliciesGrantingServiceAccess (current policies, no job) for 1 to 200 service namespaces and ' +
        'prints every policy, managed or inline, that grants each.',
    )
    .requiredOption('--arn <arn>', 'ARN of a user, group or role')
    .requiredOption(
      '--service <namespace...>',
      'service namespaces, e.g. s3 ec2 (space- or comma-separated, repeatable)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)],
    );
  addExamples(
    command,
    `  $ access-advisor policies-granting --arn arn:aws:iam::123456789012:role/app-deployer --service s3 dynamodb
  $ access-advisor policies-granting --arn arn:aws:iam::123456789012:role/app-deployer --service s3,ec2 --output markdown`,
  );
  command.action(
    action<Flags>(async (ctx, flags) => {
      const progress = createProgress({ color: ctx.color, debugLog: ctx.debug ? ctx.debugLog : undefined });
      try {
        const result = await engine().listPoliciesGrantingServiceAccess(
          { arn: flags.arn, serviceNamespaces: flags.service },
          { ...baseOptions(ctx), onProgress: progress.onProgress },
        );
        progress.finish();
        await emit(ctx, result);
        return EXIT.success;
      } finally {
        progress.finish();
      }
    }),
  );
}
