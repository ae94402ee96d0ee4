// `npm run demo`: the product doing its main job on the embedded emulator. Starts the IAM access-advisor emulator
// with examples/world.json on 127.0.0.1, synthesizes two example cdktf apps as `cdktf synth` does (reports resolved
// at synth time, tightened policies, gates, an organizations review), prints what they decided, stops the emulator.
// No AWS account, no credentials of yours, no network beyond 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startEmulator, type RunningEmulator } from 'cdktf-access-advisor';
import {
  annotationsOf,
  exampleDir,
  outputOf,
  REPO_ROOT,
  synthExample,
  WORLD_FILE,
  type SynthResult,
} from './example-harness';

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const bold = paint('1');
const dim = paint('2');
const red = paint('31');
const green = paint('32');
const yellow = paint('33');
const cyan = paint('36');

const WINDOW_DAYS = 90;
const out = (line = '') => process.stdout.write(`${line}\n`);

function heading(text: string): void {
  out();
  out(bold(cyan(`== ${text} `.padEnd(100, '='))));
}

/** "a, b, c" — or the first few and how many more, so 456 services stay one line. */
function list(items: readonly string[], max = 12): string {
  if (items.length === 0) return dim('(none)');
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … (${items.length - max} more)` : shown;
}

function row(label: string, count: number | string, items?: string): void {
  out(`    ${label.padEnd(20)}${String(count).padStart(6)}  ${items ?? ''}`.trimEnd());
}

function where(result: SynthResult): string {
  return relative(process.cwd(), join(result.stackDir, 'cdk.tf.json')) || result.stackDir;
}

/** The actions an IAM policy document (JSON text) allows, as written. */
function allowedActions(policyJson: string): string[] {
  const doc = JSON.parse(policyJson) as { Statement: { Effect: string; Action?: string | string[] }[] | { Effect: string; Action?: string | string[] } };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.filter((s) => s.Effect === 'Allow').flatMap((s) => (s.Action === undefined ? [] : [s.Action].flat()));
}

/** The actions the Deny statements of an IAM policy document (JSON text) list. */
function deniedActions(policyJson: string): string[] {
  const doc = JSON.parse(policyJson) as { Statement: { Effect: string; Action?: string | string[] }[] | { Effect: string; Action?: string | string[] } };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.filter((s) => s.Effect === 'Deny').flatMap((s) => (s.Action === undefined ? [] : [s.Action].flat()));
}

/** A gate's or check's annotation, as `cdktf synth` prints it, indented under its verdict. */
function printVerdict(result: SynthResult, constructId: string, what: string): void {
  const annotations = annotationsOf(result, constructId).filter((a) => a.level !== 'info' || /Gate|Drift/.test(a.message));
  const failed = annotations.some((a) => a.level === 'error');
  const warned = annotations.some((a) => a.level === 'warn');
  const verdict = failed ? red('FAILED') : warned ? yellow('WARNING') : green('passed');
  out(`  ${bold(`${what} ${constructId}`)}  ${verdict}`);
  for (const annotation of annotations) {
    // The first line names the construct (printed above): keep only what it says.
    const [first = '', ...rest] = annotation.message.split('\n');
    const body = [first.replace(/^(LeastPrivilegeGate|PolicyDriftCheck) \S+: /, ''), ...rest].filter((line) => line !== '');
    for (const line of body) out(`      ${dim('|')} ${line}`);
  }
}

function summarizeLeastPrivilege(result: SynthResult, current: SynthResult): void {
  heading('1. examples/least-privilege-role — synth-time reports, tightened policies, gates');
  out(`  synthesized: ${where(result)}`);
  const policies = result.stack.resource?.aws_iam_policy ?? {};
  const roles: { output: string; label: string; policyId: string; original: string }[] = [
    { output: 'app_deployer', label: 'role/app-deployer', policyId: 'deployer_policy', original: 'app-deployer-policy: s3:*, ec2:*, lambda:*, dynamodb:*, sqs:*, 4 iam actions' },
    { output: 'ops_admin', label: 'role/ops-admin', policyId: 'ops_admin_policy', original: 'AdministratorAccess: "*"' },
  ];
  for (const role of roles) {
    const allowed = outputOf<string[]>(result, `${role.output}_services_allowed`);
    const used = outputOf<string[]>(result, `${role.output}_services_used`);
    const unused = outputOf<string[]>(result, `${role.output}_services_unused`);
    const usedActions = outputOf<string[]>(result, `${role.output}_actions_used`);
    const removedCount = outputOf<number>(result, `${role.output}_removed_action_count`);
    const removedServices = outputOf<string[]>(result, `${role.output}_removed_services`);
    const proofHolds = outputOf<boolean>(result, `${role.output}_tightening_proof_holds`);
    // One managed policy, or several when the Deny lists exceed IAM's 6,144 characters (ops-admin): <id>, <id>_2, …
    const ids = Object.keys(policies)
      .filter((id) => id === role.policyId || new RegExp(`^${role.policyId}_\\d+$`).test(id))
      .sort((a, b) => (Number(/_(\d+)$/.exec(a)?.[1] ?? 1) - Number(/_(\d+)$/.exec(b)?.[1] ?? 1)));
    const documents = ids.map((id) => (policies[id] as { name: string; policy: string }).policy);
    const kept = [...new Set(documents.flatMap(allowedActions))];
    const denied = documents.flatMap(deniedActions);
    const deniedServices = denied.filter((a) => a.endsWith(':*'));
    const deniedActionNames = denied.filter((a) => !a.endsWith(':*'));
    const characters = documents.reduce((n, d) => n + JSON.stringify(JSON.parse(d)).length, 0);
    out();
    out(`  ${bold(role.label)}  ${dim(`(ACTION_LEVEL report, the default granularity; window ${WINDOW_DAYS} days; today: ${role.original})`)}`);
    row('services allowed', allowed.length, list(allowed, 8));
    row(`used in ${WINDOW_DAYS} days`, used.length, list(used));
    row('unused', unused.length, list(unused, 8));
    row('tracked actions used', usedActions.length, list(usedActions, 10));
    row('actions removed', removedCount, `concrete actions no longer allowed; whole services: ${list(removedServices, 6)}`);
    row('kept as written', kept.length, `Allow ${list(kept, 6)}: wildcards stay, so untracked, used and newer actions stay allowed`);
    if (deniedServices.length > 0) row('denied services', deniedServices.length, `Deny ${list(deniedServices, 6)}`);
    row('denied actions', deniedActionNames.length, `Deny (unused tracked actions within kept wildcards) ${list(deniedActionNames, 4)}`);
    // Action level at work: per kept wildcard of a used service, how many of its unused tracked actions are denied.
    const perService = new Map<string, string[]>();
    for (const action of deniedActionNames) perService.set(action.split(':')[0]!, [...(perService.get(action.split(':')[0]!) ?? []), action]);
    for (const [service, actions] of [...perService].sort((a, b) => b[1].length - a[1].length).slice(0, 3)) {
      const wildcard = kept.includes(`${service}:*`) ? `${service}:*` : kept.includes('*') ? '*' : undefined;
      if (!wildcard) continue;
      row(`  within ${wildcard}`, actions.length, `${service} actions tracked, unused in ${WINDOW_DAYS} days, denied: ${list(actions.map((a) => a.split(':')[1]!), 4)}`);
    }
    row(
      'managed policies',
      documents.length,
      `${ids.map((id) => `aws_iam_policy.${id}`).join(', ').replace(/^(.{70}).+$/, '$1…')}: ${characters} characters (IAM: at most 6,144 each)`,
    );
    out(`    ${'proof'.padEnd(20)}        ${proofHolds ? green('holds') : red('FAILS')}: every used action still allowed, every removed one denied`);
  }
  out();
  const analyticsAllowed = outputOf<string[]>(result, 'young_analytics_services_allowed');
  out(`  ${bold('role/young-analytics')}  ${dim('(ACTION_LEVEL report, the default granularity)')}`);
  row('services allowed', analyticsAllowed.length, list(analyticsAllowed));
  row(`used in ${WINDOW_DAYS} days`, outputOf<string[]>(result, 'young_analytics_services_used').length, list(outputOf<string[]>(result, 'young_analytics_services_used')));
  out();
  out(`  ${dim('The deployer gate judges the stack as it will be: the policies this stack attaches to app-deployer.')}`);
  out(`  ${dim('With the tightened policy attached (the pull request that fixes the role):')}`);
  printVerdict(result, 'deployer_gate', 'LeastPrivilegeGate');
  out();
  out(`  ${dim('The same gate while the stack still attaches today\'s policy (app context leastPrivilegeRole:deployerPolicy=current):')}`);
  printVerdict(current, 'deployer_gate', 'LeastPrivilegeGate');
  out();
  printVerdict(result, 'analytics_gate', 'LeastPrivilegeGate');
}

function summarizeOrganizations(result: SynthResult): void {
  heading('2. examples/organizations-scp-review — organizations access reports and an SCP proposal');
  out(`  synthesized: ${where(result)}`);
  out();
  const entities: { output: string; label: string; path: string }[] = [
    { output: 'root', label: 'root', path: 'o-4fxmplt198/r-c3xb' },
    { output: 'workloads_ou', label: 'OU Workloads', path: 'o-4fxmplt198/r-c3xb/ou-c3xb-lmu7j2yg' },
    { output: 'production_account', label: 'member 234567890123', path: '…/ou-c3xb-lmu7j2yg/234567890123' },
    { output: 'management_account', label: 'management account', path: 'o-4fxmplt198/r-c3xb/123456789012' },
  ];
  out(`    ${'entity'.padEnd(22)}${'path'.padEnd(40)}${'SCPs allow'.padStart(11)}${'accessed'.padStart(10)}${'not accessed'.padStart(14)}`);
  for (const entity of entities) {
    out(
      `    ${entity.label.padEnd(22)}${entity.path.padEnd(40)}` +
        `${String(outputOf<number>(result, `${entity.output}_services_accessible`)).padStart(11)}` +
        `${String(outputOf<string[]>(result, `${entity.output}_services_accessed`).length).padStart(10)}` +
        `${String(outputOf<number>(result, `${entity.output}_services_not_accessed_count`)).padStart(14)}`,
    );
  }
  out();
  for (const entity of entities) {
    out(`    ${`${entity.label} accessed:`.padEnd(34)}${list(outputOf<string[]>(result, `${entity.output}_services_accessed`), 16)}`);
  }
  out(`    ${'OU Workloads not accessed:'.padEnd(34)}${list(outputOf<string[]>(result, 'workloads_ou_services_not_accessed'))}`);
  out(`    ${'member not accessed:'.padEnd(34)}${list(outputOf<string[]>(result, 'production_account_services_not_accessed'))}`);
  out();
  const proposal = result.stack.resource?.aws_organizations_policy?.workloads_scp_proposal as { name: string; content: string } | undefined;
  const denied = outputOf<string[]>(result, 'workloads_scp_proposal_denied_services');
  const kept = outputOf<string[]>(result, 'workloads_scp_proposal_kept_services');
  const attached = Object.keys(result.stack.resource?.aws_organizations_policy_attachment ?? {}).length > 0;
  out(`  ${bold('SCP proposal')}  aws_organizations_policy.workloads_scp_proposal (${proposal?.name ?? '?'}), ${attached ? red('ATTACHED') : 'not attached: review first'}`);
  out(`    Deny ${proposal ? allowedOrDenied(proposal.content) : '?'} under the Workloads OU: allowed by its SCPs, used by no account there in 90 days`);
  for (const line of kept.filter((k) => !/ within the \d+-day window/.test(k))) out(`    kept ${line}`);
  if (denied.length === 0) out(`    ${dim('(nothing to deny)')}`);
}

function allowedOrDenied(content: string): string {
  const doc = JSON.parse(content) as { Statement: { Action: string[] }[] };
  return doc.Statement.flatMap((s) => s.Action).join(', ');
}

async function main(): Promise<number> {
  const started = Date.now();
  out(bold('cdktf-access-advisor demo'));
  out(dim('IAM access advisor reports as values in CDK for Terraform: evidence -> tightened policies -> gates.'));
  const scratch = mkdtempSync(join(tmpdir(), 'access-advisor-demo-'));
  let emulator: RunningEmulator | undefined;
  try {
    emulator = await startEmulator({ world: WORLD_FILE, port: 0 });
    out(`emulator: ${emulator.endpoint} serving ${relative(process.cwd(), WORLD_FILE)} (jobs take about 1 s, like IAM's)`);
    out(dim('synthesizing examples/least-privilege-role and examples/organizations-scp-review as `cdktf synth` does …'));
    const outdirOf = (example: 'least-privilege-role' | 'organizations-scp-review', name = 'cdktf.out') => {
      const outdir = join(exampleDir(example), name);
      rmSync(outdir, { recursive: true, force: true });
      return outdir;
    };
    const [roles, rolesToday, organizations] = await Promise.all([
      synthExample('least-privilege-role', {
        endpoint: emulator.endpoint,
        outdir: outdirOf('least-privilege-role'),
        cacheFile: join(scratch, 'least-privilege-role.context.json'),
      }),
      synthExample('least-privilege-role', {
        endpoint: emulator.endpoint,
        outdir: outdirOf('least-privilege-role', 'cdktf.out.current-policy'),
        cacheFile: join(scratch, 'least-privilege-role-current.context.json'),
        context: { 'leastPrivilegeRole:deployerPolicy': 'current' },
      }),
      synthExample('organizations-scp-review', {
        endpoint: emulator.endpoint,
        outdir: outdirOf('organizations-scp-review'),
        cacheFile: join(scratch, 'organizations-scp-review.context.json'),
      }),
    ]);
    summarizeLeastPrivilege(roles, rolesToday);
    summarizeOrganizations(organizations);
    const metrics = emulator.metrics();
    heading('done');
    out(
      `  ${metrics.jobsGenerated.service} service and ${metrics.jobsGenerated.organizations} organizations report jobs, ` +
        `${metrics.totalCalls} IAM API calls to the emulator, ${((Date.now() - started) / 1000).toFixed(1)} s in all.`,
    );
    out(`  The synthesized stacks are in ${relative(REPO_ROOT, roles.outdir)}/ and ${relative(REPO_ROOT, organizations.outdir)}/ (git-ignored).`);
    out('  examples/least-privilege-role passes its deployer gate because the stack attaches the tightened policy; with');
    out("  today's policy attached the same gate fails the synth: that is the gate doing its job.");
    out('  Next: README.md (five-minute tour), `npm test`, and docs/*.md.');
    return 0;
  } finally {
    await emulator?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
