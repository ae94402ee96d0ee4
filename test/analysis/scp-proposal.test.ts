import { compileIdentityPolicies } from '../../src/analysis/evaluate';
import { DEFAULT_PROTECTED_SERVICES } from '../../src/analysis/scp-protected';
import { SCP_MAX_CHARACTERS } from '../../src/analysis/scp-documents';
import { proposeServiceControlPolicy, ScpSlotLimitError } from '../../src/analysis/scp-proposal';
import type { ServiceControlPolicyProposalResult } from '../../src/analysis/scp-types';
import type { RunningEmulator } from '../../src/emulator';
import { loadActionCatalog } from '../../src/model/action-catalog';
import type { OrganizationsAccessReport } from '../../src/model/report';
import { ACCOUNT_A, ACCOUNT_C, GUARDRAILS, OU, ROOT, orgReport, startScpEmulator } from './scp-world';

let emulator: RunningEmulator;
const reports: Record<string, OrganizationsAccessReport> = {};
const catalogServices = [...loadActionCatalog().services()];
const PROTECTED = DEFAULT_PROTECTED_SERVICES.map((p) => p.service);

beforeAll(async () => {
  emulator = await startScpEmulator();
  reports.root = await orgReport(emulator, ROOT);
  reports.ou = await orgReport(emulator, OU);
  reports.account = await orgReport(emulator, `${OU}/${ACCOUNT_A}`);
  reports.ouWithScp = await orgReport(emulator, OU, 'p-Guardrails01');
  reports.rootWithScp = await orgReport(emulator, ROOT, 'p-Guardrails01');
}, 60_000);
afterAll(() => emulator.close());

const names = (list: readonly { service: string }[]) => list.map((s) => s.service);
const at = (report: OrganizationsAccessReport) => ({ now: report.jobCompletionDate });
const deniedBy = (result: ServiceControlPolicyProposalResult) => {
  const evaluator = compileIdentityPolicies(result.documents.map((d) => d.document));
  return (service: string) => evaluator.decide(`${service}:AnyAction`) === 'ExplicitlyDenied';
};

describe('proposeServiceControlPolicy against the emulator', () => {
  test('OU: denies the guardrail services nobody under the OU used in 90 days; used and protected ones are kept, with reasons', () => {
    const result = proposeServiceControlPolicy(reports.ou!, at(reports.ou!));
    expect(result.status).toBe('sufficient');
    expect(names(result.deniedServices)).toEqual(['dynamodb', 'ec2', 'kms', 'lambda', 'logs', 'sns']);
    expect(result.keptServices.map((k) => [k.service, k.kind])).toEqual([
      ['cloudtrail', 'protected'],
      ['iam', 'protected'],
      ['s3', 'used'],
      ['sqs', 'used'],
      ['sts', 'protected'],
    ]);
    expect(result.keptServices.find((k) => k.service === 's3')).toMatchObject({ entityPath: `${OU}/${ACCOUNT_A}`, totalAuthenticatedEntities: 1 });
    expect(result.keptServices.find((k) => k.service === 'sts')!.reason).toMatch(/AssumeRole/);
    expect(result.deniedServices.find((d) => d.service === 'dynamodb')!.reason).toMatch(/before the 90-day window/);
    expect(result.deniedServices.find((d) => d.service === 'kms')!.reason).toMatch(/tracking period/); // 450 days ago: untracked
    expect(result.documents).toHaveLength(1);
    expect(JSON.parse(result.json[0]!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'DenyServicesUnusedFor90Days', Effect: 'Deny', Action: ['dynamodb:*', 'ec2:*', 'kms:*', 'lambda:*', 'logs:*', 'sns:*'], Resource: '*' }],
    });
    expect(result.json[0]).toBe(JSON.stringify(JSON.parse(result.json[0]!))); // minified
    expect(result.proof).toMatchObject({ holds: true, usedServicesChecked: 2, deniedServicesChecked: 6 });
    const denied = deniedBy(result);
    for (const s of ['s3', 'sqs', ...PROTECTED]) expect(denied(s)).toBe(false);
  });

  test('the window is honoured: a 365-day window keeps dynamodb (120 d) and lambda (300 d); kms (450 d) stays denied', () => {
    const result = proposeServiceControlPolicy(reports.ou!, { ...at(reports.ou!), unusedAfterDays: 365 });
    expect(names(result.deniedServices)).toEqual(['ec2', 'kms', 'logs', 'sns']);
    expect(result.keptServices.filter((k) => k.kind === 'used').map((k) => k.service)).toEqual(['dynamodb', 'lambda', 's3', 'sqs']);
    const short = proposeServiceControlPolicy(reports.ou!, { ...at(reports.ou!), unusedAfterDays: 7 });
    expect(names(short.deniedServices)).toContain('sqs'); // used 30 days ago
    expect(names(short.deniedServices)).not.toContain('s3'); // used 2 days ago
  });

  test('exceptions and extra protected services are honoured, each with its reason', () => {
    const result = proposeServiceControlPolicy(reports.ou!, {
      ...at(reports.ou!),
      allow: [
        { permission: 'dynamodb', reason: 'quarterly restore drill' },
        { permission: 'lambda:InvokeFunction', reason: 'yearly batch' },
      ],
      neverDeny: [{ service: 'SNS', reason: 'alarm fan-out must survive' }],
    });
    expect(names(result.deniedServices)).toEqual(['ec2', 'kms', 'logs']);
    const kept = Object.fromEntries(result.keptServices.map((k) => [k.service, k]));
    expect(kept.dynamodb).toMatchObject({ kind: 'allowed-by-exception' });
    expect(kept.dynamodb!.reason).toContain('quarterly restore drill');
    expect(kept.lambda!.reason).toContain('lambda:InvokeFunction: yearly batch'); // an action exception keeps its service
    expect(kept.sns).toMatchObject({ kind: 'protected' });
    expect(kept.sns!.reason).toContain('alarm fan-out');
  });

  test('root: the member accounts\' activity (never the management account\'s); the deny-list splits at 5,120 characters', () => {
    const result = proposeServiceControlPolicy(reports.root!, at(reports.root!));
    expect(result.keptServices.filter((k) => k.kind === 'used').map((k) => k.service)).toEqual(['ec2', 's3', 'sqs']);
    expect(names(result.deniedServices)).toContain('kms'); // used by the management account only
    expect(names(result.deniedServices)).not.toContain('organizations'); // protected (and used by management only)
    const expectedDenied = catalogServices.filter((s) => !['ec2', 's3', 'sqs', ...PROTECTED].includes(s)).sort();
    expect(names(result.deniedServices)).toEqual(expectedDenied);
    expect(result.documents.length).toBeGreaterThan(1);
    for (const d of result.documents) {
      expect(d.characters).toBe(d.json.length);
      expect(d.json.length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
    }
    expect(result.documents.flatMap((d) => d.services)).toEqual(expectedDenied); // every denied service once, in order
    expect(result.documents.map((d) => d.sid)).toEqual(result.documents.map((_, i) => `DenyServicesUnusedFor90DaysPart${i + 1}`));
    expect(result.notes.join('\n')).toMatch(new RegExp(`split into ${result.documents.length} documents`));
    expect(result.slots).toEqual({ needed: result.documents.length, remaining: 4, maxPerTarget: 5 });
    expect(result.proof.holds).toBe(true);
    const denied = deniedBy(result);
    for (const s of ['ec2', 's3', 'sqs', ...PROTECTED]) expect(denied(s)).toBe(false);
    for (const s of expectedDenied) expect(denied(s)).toBe(true);
  });

  test('slot limit: more documents than the remaining slots is a clear error', () => {
    const needed = proposeServiceControlPolicy(reports.root!, at(reports.root!)).documents.length;
    expect(() => proposeServiceControlPolicy(reports.root!, { ...at(reports.root!), remainingSlots: needed - 1 })).toThrow(ScpSlotLimitError);
    expect(() => proposeServiceControlPolicy(reports.root!, { ...at(reports.root!), remainingSlots: needed - 1 })).toThrow(
      new RegExp(`needs ${needed} documents .* only ${needed - 1} SCP slot\\(s\\) left`),
    );
    expect(proposeServiceControlPolicy(reports.root!, { ...at(reports.root!), remainingSlots: needed }).documents).toHaveLength(needed);
  });

  test('account: that account\'s activity only (sqs, used by its sibling, is denied there)', () => {
    const result = proposeServiceControlPolicy(reports.account!, at(reports.account!));
    expect(names(result.deniedServices)).toEqual(['dynamodb', 'ec2', 'kms', 'lambda', 'logs', 'sns', 'sqs']);
    expect(result.keptServices.filter((k) => k.kind === 'used').map((k) => k.service)).toEqual(['s3']);
    const root = proposeServiceControlPolicy(reports.root!, at(reports.root!));
    expect(root.keptServices.find((k) => k.service === 'ec2')!.entityPath).toBe(`${ROOT}/${ACCOUNT_C}`);
  });

  test('with an SCP id: the services it does not allow are already denied (not re-denied); partial coverage denies nothing', () => {
    const partial = proposeServiceControlPolicy(reports.rootWithScp!, { ...at(reports.rootWithScp!), catalogServices });
    // p-Guardrails01 applies to the OU only: account 333333333333's ec2 use is missing from this report.
    expect(partial.status).toBe('partial-evidence');
    expect(partial.deniedServices).toEqual([]);
    expect(partial.documents).toEqual([]);
    expect(partial.keptServices.find((k) => k.service === 'ec2')!.kind).toBe('partial-evidence');
    expect(partial.alreadyDeniedServices).toEqual(catalogServices.filter((s) => !GUARDRAILS.includes(s)).sort());

    const covered = proposeServiceControlPolicy(reports.ouWithScp!, { ...at(reports.ouWithScp!), catalogServices, policyCoversEntity: true });
    expect(covered.status).toBe('sufficient');
    expect(covered.organizationsPolicyId).toBe('p-Guardrails01');
    expect(names(covered.deniedServices)).toEqual(['dynamodb', 'ec2', 'kms', 'lambda', 'logs', 'sns']);
    expect(covered.alreadyDeniedServices).toHaveLength(catalogServices.length - GUARDRAILS.length);
    expect(covered.alreadyDeniedServices).not.toContain('s3');
    expect(covered.documents[0]!.services).not.toContain('athena'); // already denied: not re-denied
    expect(covered.notes.join('\n')).toContain(`${catalogServices.length - GUARDRAILS.length} service(s) are not allowed by p-Guardrails01`);
  });

  test('stale evidence judges nothing: no document, every service kept with the reason', () => {
    const completed = new Date(reports.ou!.jobCompletionDate).getTime();
    const result = proposeServiceControlPolicy(reports.ou!, { now: new Date(completed + 6 * 86_400_000) });
    expect(result.status).toBe('stale-evidence');
    expect(result.statusReason).toMatch(/stale evidence: .* 6\.0 days .*limit 5 days/);
    expect(result.deniedServices).toEqual([]);
    expect(result.documents).toEqual([]);
    expect(result.keptServices.map((k) => k.service)).toEqual(GUARDRAILS);
    expect(result.keptServices.find((k) => k.service === 'sns')!.kind).toBe('stale-evidence');
    // within a longer limit the same report is evidence
    expect(proposeServiceControlPolicy(reports.ou!, { now: new Date(completed + 6 * 86_400_000), maxReportAgeDays: 7 }).status).toBe('sufficient');
  });

  test('a report that says it completed in the future never ages: stale, nothing denied; a job completed before it was created is refused', () => {
    const r = reports.ou!;
    const created = new Date(r.jobCompletionDate).getTime();
    const future = { ...r, jobCreationDate: new Date(created + 365 * 86_400_000).toISOString(), jobCompletionDate: new Date(created + 365 * 86_400_000 + 60_000).toISOString() };
    const result = proposeServiceControlPolicy(future, at(r));
    expect(result.status).toBe('stale-evidence');
    expect(result.statusReason).toMatch(/from the future/);
    expect(result.deniedServices).toEqual([]);
    expect(result.documents).toEqual([]);
    const backwards = { ...r, jobCreationDate: new Date(created + 60_000).toISOString() };
    expect(() => proposeServiceControlPolicy(backwards, at(r))).toThrow(/jobCompletionDate: .* expected a date not before jobCreationDate/);
  });

  test('allow-list style: allows exactly the kept and protected services, denies the rest; the proof checks both', () => {
    const result = proposeServiceControlPolicy(reports.ou!, { ...at(reports.ou!), style: 'allow-list' });
    expect(names(result.deniedServices)).toEqual(['dynamodb', 'ec2', 'kms', 'lambda', 'logs', 'sns']);
    expect(result.documents).toHaveLength(1);
    const statement = (result.documents[0]!.document.Statement as { Effect: string; Action: string[] }[])[0]!;
    expect(statement.Effect).toBe('Allow');
    // Only services today's SCPs allow at the OU (the guardrails): protected services they deny stay denied.
    expect(statement.Action).toEqual(['cloudtrail', 'iam', 's3', 'sqs', 'sts'].map((s) => `${s}:*`));
    for (const action of statement.Action) expect(GUARDRAILS).toContain(action.split(':')[0]);
    expect(result.proof).toMatchObject({ holds: true, deniedServicesChecked: 6 });
    expect(result.notes.join('\n')).toMatch(/replaces FullAWSAccess/);
  });

  test('bad options are refused, naming the field and what is allowed', () => {
    const r = reports.ou!;
    expect(() => proposeServiceControlPolicy(r, { unusedAfterDays: 0 })).toThrow(/unusedAfterDays: 0 .*from 1 to 400/);
    expect(() => proposeServiceControlPolicy(r, { unusedAfterDays: 401 })).toThrow(/unusedAfterDays/);
    expect(() => proposeServiceControlPolicy(r, { style: 'both' as never })).toThrow(/style: "both"/);
    expect(() => proposeServiceControlPolicy(r, { remainingSlots: 6 })).toThrow(/remainingSlots: 6/);
    expect(() => proposeServiceControlPolicy(r, { neverDeny: [{ service: 'sns', reason: ' ' }] })).toThrow(/neverDeny\[0\]\.reason/);
    expect(() => proposeServiceControlPolicy(r, { allow: [{ permission: 's3', reason: '' }] })).toThrow(/allow\[0\]\.reason/);
    expect(() => proposeServiceControlPolicy({ ...r, kind: 'service-last-accessed' } as never)).toThrow(/kind/);
    expect(() => proposeServiceControlPolicy({ ...r, accessDetails: [{ serviceNamespace: 's3', serviceName: 'S3', lastAuthenticatedTime: 'yesterday' }] })).toThrow(
      /accessDetails\[0\]\.lastAuthenticatedTime: "yesterday"/,
    );
  });

  test('contradictory or partial rows keep their service', () => {
    const r = reports.ou!;
    const old = new Date(new Date(r.jobCompletionDate).getTime() - 200 * 86_400_000).toISOString();
    const hostile: OrganizationsAccessReport = {
      ...r,
      // Rows judged one by one: without IAM's counts (which these rows would not add up to).
      numberOfServicesAccessible: undefined,
      numberOfServicesNotAccessed: undefined,
      accessDetails: [
        { serviceNamespace: 'sns', serviceName: 'SNS', totalAuthenticatedEntities: 2 }, // accounts but no time
        { serviceNamespace: 'logs', serviceName: 'Logs', lastAuthenticatedTime: old, totalAuthenticatedEntities: 0 }, // a time but no account
        { serviceNamespace: 'kms', serviceName: 'KMS', lastAuthenticatedTime: old, entityPath: `${ROOT}/${ACCOUNT_C}`, totalAuthenticatedEntities: 1 }, // outside the OU
        { serviceNamespace: 'ec2', serviceName: 'EC2', totalAuthenticatedEntities: 0 },
        { serviceNamespace: 's3', serviceName: 'S3', totalAuthenticatedEntities: 0 }, // us-east-1: no use …
        { serviceNamespace: 's3', serviceName: 'S3', lastAuthenticatedTime: r.jobCompletionDate, entityPath: `${OU}/${ACCOUNT_A}`, totalAuthenticatedEntities: 1 }, // … but used in another Region
      ],
    };
    const result = proposeServiceControlPolicy(hostile, at(r));
    expect(names(result.deniedServices)).toEqual(['ec2']);
    expect(result.keptServices.map((k) => [k.service, k.kind])).toEqual([
      ['kms', 'unknown'],
      ['logs', 'unknown'],
      ['s3', 'used'],
      ['sns', 'unknown'],
    ]);
  });
});
