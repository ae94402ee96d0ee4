import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ProtectedService } from '../../analysis/scp-protected';
import type { ScpStyle, ServiceControlPolicyProposalResult } from '../../analysis/scp-types';
import type { PermissionException } from '../../analysis/types';
import type { OrganizationsAccessReport } from '../../model/report';
import { action, emit, write } from '../subcommand';
import { CliInputError, EXIT } from '../exit-codes';
import { addExamples } from '../help';
import { collectException, readInput } from '../inputs';
import { PLAIN, renderMarkdown, renderText, type Doc } from '../../report/document';
import { runOne } from '../reports';

interface Flags {
  entityPath: string;
  organizationsPolicyId?: string;
  policyCoversEntity?: boolean;
  unusedAfterDays?: number;
  allow?: PermissionException[];
  allowFile?: string;
  neverDeny?: ProtectedService[];
  style: ScpStyle;
  remainingSlots?: number;
}

export function register(program: Command): void {
  const command = program
    .command('scp-proposal')
    .summary('propose a service control policy denying the services no account under an entity used')
    .description(
      'Runs an organizations access report for a root, OU or account and proposes the SCP it supports: deny ' +
        '(or, with --style allow-list, allow only the complement of) the services no account under the entity used ' +
        'within the window. Never denied: services used within the window, the protected services an organization ' +
        'needs to manage itself (sts, iam, organizations, support, signin, sso, identitystore, account, cloudtrail, ' +
        'health; docs/decisions.md says why), --never-deny and --allow services, and services whose evidence is ' +
        'missing or contradictory. Documents are minified JSON of at most 5,120 characters each; more documents than ' +
        '--remaining-slots is an error (IAM allows 5 SCPs per target and FullAWSAccess usually takes one). Exit 1 ' +
        'when the proof (our evaluator: nothing used is denied) fails.',
    )
    .requiredOption('--entity-path <path>', 'o-ORG/r-ROOT[/ou-…]*[/ACCOUNT]: where the SCP would be attached')
    .option('--organizations-policy-id <id>', 'generate the report for this SCP (p-…): it lists only what the SCP allows')
    .option('--policy-covers-entity', 'the SCP of --organizations-policy-id applies to every account under the entity (else nothing is denied)')
    .addOption(new Option('--unused-after-days <n>', 'deny services unused for this many days, 1–400 (default 90)').argParser(parseWindow))
    .addOption(new Option('--allow <permission=reason>', 'never deny this service (or action pattern), with the reason (repeatable)').argParser(collectException))
    .option('--allow-file <file>', 'JSON list of exceptions [{"permission": "glue", "reason": "…"}], or - for stdin')
    .addOption(new Option('--never-deny <service=reason>', 'protect this service too, with the reason (repeatable)').argParser(collectProtected))
    .addOption(new Option('--style <style>', 'deny-list: Deny beside FullAWSAccess; allow-list: Allow replacing it').choices(['deny-list', 'allow-list']).default('deny-list'))
    .addOption(new Option('--remaining-slots <n>', 'SCPs the target can still take, 0–5 (default 4)').argParser(parseSlots));
  addExamples(
    command,
    `  $ access-advisor scp-proposal --entity-path o-a1b2c3d4e5/r-f6g7/ou-f6g7-workload1 --output markdown >> "$GITHUB_STEP_SUMMARY"
  $ access-advisor scp-proposal --entity-path o-a1b2c3d4e5/r-f6g7/ou-f6g7-workload1 --unused-after-days 180 \\
      --allow "glue=quarterly ETL" --query 'json[0]' --output json | jq -r . > scp.json
  $ access-advisor scp-proposal --entity-path o-a1b2c3d4e5/r-f6g7 --organizations-policy-id p-FullAWSAccess --policy-covers-entity`,
  );
  command.action(
    action<Flags>(async (ctx, flags) => {
      const allow = [...(flags.allow ?? []), ...(flags.allowFile !== undefined ? readAllowFile(flags.allowFile) : [])];
      const analysis = require('../../analysis') as typeof import('../../analysis');
      const { loadActionCatalog } = require('../../model/action-catalog') as typeof import('../../model/action-catalog');
      // Options are checked before the report runs: a typo costs no job.
      const options = {
        ...(flags.unusedAfterDays !== undefined ? { unusedAfterDays: flags.unusedAfterDays } : {}),
        ...(allow.length ? { allow } : {}),
        ...(flags.neverDeny ? { neverDeny: flags.neverDeny } : {}),
        ...(flags.remainingSlots !== undefined ? { remainingSlots: flags.remainingSlots } : {}),
        ...(flags.policyCoversEntity ? { policyCoversEntity: true } : {}),
        style: flags.style,
      };
      const { ExceptionMatcher } = require('../../analysis/exceptions') as typeof import('../../analysis/exceptions');
      new ExceptionMatcher(allow, flags.allowFile !== undefined ? '--allow-file' : '--allow');
      const report = (await runOne(ctx, {
        kind: 'organizations-access',
        entityPath: flags.entityPath,
        ...(flags.organizationsPolicyId !== undefined ? { organizationsPolicyId: flags.organizationsPolicyId } : {}),
      })) as OrganizationsAccessReport;
      const result = analysis.proposeServiceControlPolicy(report, { ...options, catalogServices: loadActionCatalog().services() });
      const format = ctx.output ?? 'json';
      if (ctx.query === undefined && (format === 'markdown' || format === 'table')) {
        const doc = scpProposalDoc(result);
        await write(process.stdout, format === 'markdown' ? renderMarkdown([doc]) : renderText([doc], PLAIN));
      } else {
        await emit(ctx, result);
      }
      if (!result.proof.holds) ctx.log(`access-advisor: the proposal failed its proof: ${result.proof.failures.join('; ')}`);
      return result.proof.holds ? EXIT.success : EXIT.gateFailed;
    }),
  );
}

/** The proposal as one document: summary, denied and kept services with reasons, notes, proof, the documents. */
export function scpProposalDoc(result: ServiceControlPolicyProposalResult): Doc {
  const icon = !result.proof.holds ? '❌' : result.status === 'sufficient' ? '✅' : '⚠️';
  return {
    title: `${icon} SCP proposal for ${result.entityPath}`,
    sections: [
      {
        lines: [
          `Evidence: ${result.status} (${result.statusReason})`,
          `Style: ${result.style}, window ${result.unusedAfterDays} days (since ${result.windowStart})`,
          `Denied: ${result.deniedServices.length} service(s); kept: ${result.keptServices.length}` +
            (result.alreadyDeniedServices.length ? `; already denied by the current SCPs: ${result.alreadyDeniedServices.length}` : ''),
          `Documents: ${result.slots.needed} of ${result.slots.remaining} remaining SCP slot(s) (IAM allows ${result.slots.maxPerTarget} per target)`,
        ],
      },
      {
        title: 'Denied services',
        table: { columns: ['Service', 'Last used', 'Why'], rows: result.deniedServices.map((d) => [d.service, d.lastAuthenticated ?? 'never', d.reason]) },
        empty: 'none',
      },
      {
        title: 'Kept services',
        table: {
          columns: ['Service', 'Kept as', 'Last used', 'Why'],
          rows: result.keptServices.map((k) => [k.service, k.kind, k.lastAuthenticated ?? 'never', k.reason]),
        },
        empty: 'none',
      },
      ...(result.notes.length ? [{ title: 'Notes', lines: result.notes }] : []),
      {
        title: 'Proof',
        lines: [
          result.proof.holds ? 'holds' : 'FAILS',
          `${result.proof.usedServicesChecked} service(s) used within the window and ${result.proof.keptServicesChecked} kept service(s) not denied; ` +
            `${result.proof.deniedServicesChecked} denied service(s) checked`,
          ...result.proof.failures,
        ],
      },
      ...result.documents.map((d, i) => ({
        title: `Document ${i + 1} of ${result.documents.length} (${d.characters} characters, ${d.services.length} services)`,
        code: { language: 'json', text: d.json },
      })),
    ],
  };
}

function readAllowFile(file: string): PermissionException[] {
  const name = file === '-' ? 'standard input' : JSON.stringify(file);
  let value: unknown;
  try {
    value = JSON.parse(readInput('--allow-file', file));
  } catch (error) {
    if (error instanceof CliInputError) throw error;
    throw new CliInputError(`--allow-file: ${name} is not valid JSON (${(error as Error).message})`);
  }
  const list = Array.isArray(value) ? value : (value as { allow?: unknown } | null)?.allow;
  if (!Array.isArray(list)) {
    throw new CliInputError(`--allow-file: ${name} is not a list of exceptions; expected [{"permission": "glue", "reason": "why"}] or {"allow": [...]}`);
  }
  return list as PermissionException[];
}

function parseWindow(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 400) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; expected a whole number of days from 1 to 400 (IAM tracks about 400 days)`);
  }
  return n;
}

function parseSlots(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 5) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; expected a whole number of SCP slots from 0 to 5`);
  }
  return n;
}

function collectProtected(value: string, previous: ProtectedService[] | undefined): ProtectedService[] {
  const eq = value.indexOf('=');
  const service = eq < 0 ? '' : value.slice(0, eq).trim();
  const reason = eq < 0 ? '' : value.slice(eq + 1).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(service) || !reason) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; expected SERVICE=REASON, e.g. "sns=alarm fan-out"`);
  }
  return [...(previous ?? []), { service, reason }];
}
