import fc from 'fast-check';
import { compileIdentityPolicies, tightenPolicy, type PermissionException, type PolicyDocument } from '../../src/analysis';
import { loadActionCatalog } from '../../src/model/action-catalog';
import type { ServiceLastAccessed, ServiceLastAccessedReport } from '../../src/model/report';
import { silenceIsEvidence, windowStart } from './documented-tracking';
import { NOW, OLD, RECENT, report, service } from './fixtures';
import { simulate } from './oracle';

/**
 * Issue 24's exactness property of the default (exact) form, for a role: for random policies (wildcards with `*` and
 * `?`, NotAction, NotResource, Conditions, Version 2008 and 2012) and random reports, and for sampled requests —
 * catalog actions and invented future actions of the same services —
 *
 *     allowed(tightened) = allowed(original) − removable
 *
 * where `removable` is the documented rule written here independently of src. Checked with
 * @cloud-copilot/iam-simulate (catalog actions; it refuses what it does not know) and with our evaluator (all), in
 * two request contexts (one satisfying every generated Condition, one not). The same for the documents of a result
 * split over several managed policies, taken together.
 *
 * One documented exception: an action newer than the catalog in a wholly unused service that keeps something
 * (iam:PassRole, an exception naming some of its actions) may stay allowed (the Deny then lists prefixes of the
 * catalog's actions, and a newer action outside them is kept: conservative, never wider).
 */

const catalog = loadActionCatalog();

const ACTIONS = [
  's3:*', 's3:Get*', 's3:GetObject', 'S3:getobject', 's3:Get?bject', 's3:*Object', 's3:Put*', 's3:GetNewThing2027', 's3:CreateBuck?t',
  'dynamodb:*', 'dynamodb:GetItem', 'iam:*', 'iam:PassRole', 'iam:Pass*', 'iam:Create*', 'lambda:*', 'lambda:Invoke*', 'ec2:*',
  'ec2:Run?nstances', 'ec2:Describe*', 'sqs:*', 'sqs:SendMessage', 'newsvc:*', 'newsvc:DoThing', 'lambda:*Function',
];
const RESOURCES = ['*', 'arn:aws:s3:::alpha/*', 'arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::*', 'arn:aws:dynamodb:*:123456789012:table/*', 'arn:aws:iam::123456789012:role/*', 'arn:aws:s3:::alpha'];
const CONDITIONS = [{ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } }, { Bool: { 'aws:SecureTransport': 'true' } }];

/** Requests iam-simulate can evaluate (resource types match the action). */
const KNOWN: readonly [string, string][] = [
  ['s3:GetObject', 'arn:aws:s3:::alpha/key1'],
  ['s3:GetObject', 'arn:aws:s3:::home/alice/photo'],
  ['s3:PutObject', 'arn:aws:s3:::alpha/key1'],
  ['s3:GetBucketPolicy', 'arn:aws:s3:::alpha'],
  ['s3:PutBucketPolicy', 'arn:aws:s3:::alpha'],
  ['s3:CreateBucket', 'arn:aws:s3:::alpha'],
  ['s3:DeleteBucket', 'arn:aws:s3:::alpha'],
  ['dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/t1'],
  ['iam:PassRole', 'arn:aws:iam::123456789012:role/worker'],
  ['iam:CreateUser', 'arn:aws:iam::123456789012:user/bob'],
  ['iam:CreateRole', 'arn:aws:iam::123456789012:role/worker'],
  ['lambda:InvokeFunction', 'arn:aws:lambda:us-east-1:123456789012:function:f1'],
  ['lambda:CreateFunction', 'arn:aws:lambda:us-east-1:123456789012:function:f1'],
  ['ec2:RunInstances', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc'],
  ['ec2:DescribeInstances', '*'],
  ['sqs:SendMessage', 'arn:aws:sqs:us-east-1:123456789012:q1'],
];
/** Actions newer than the catalog, in the same services (and one new service): our evaluator only. */
const FUTURE: readonly [string, string][] = [
  ['s3:GetZzFutureThing', 'arn:aws:s3:::alpha/key1'],
  ['s3:PutZzFutureThing', '*'],
  ['s3:CreateBucketZzFuture', 'arn:aws:s3:::alpha'],
  ['iam:CreateZzFuture', '*'],
  ['iam:PassZzFuture', '*'],
  ['ec2:DescribeZzFuture', '*'],
  ['lambda:InvokeZzFuture', '*'],
  ['sqs:SendZzFuture', '*'],
  ['newsvc:DoThing', '*'],
  ['brandnew:Anything', '*'],
];
const CONTEXTS: readonly Record<string, string>[] = [
  { 'aws:username': 'alice', 'aws:RequestedRegion': 'eu-west-1', 'aws:SecureTransport': 'true' },
  { 'aws:username': 'bob', 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'false' },
];

const statementArb = fc.record({
  effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
  notAction: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  everything: fc.integer({ min: 0, max: 8 }).map((n) => n === 0),
  actions: fc.subarray(ACTIONS, { minLength: 1, maxLength: 3 }),
  notResource: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  resources: fc.subarray(RESOURCES, { minLength: 1, maxLength: 2 }),
  condition: fc.option(fc.constantFrom(...CONDITIONS), { freq: 3 }),
});
const policyArb = fc
  .record({ version: fc.constantFrom<string | undefined>('2012-10-17', '2008-10-17'), statements: fc.array(statementArb, { minLength: 1, maxLength: 3 }) })
  .map(({ version, statements }): PolicyDocument => ({
    ...(version ? { Version: version } : {}),
    Statement: statements.map((s) => {
      const actions = s.everything ? ['*', ...s.actions.slice(1)] : s.actions;
      return {
        Effect: s.effect as 'Allow' | 'Deny',
        [s.notAction ? 'NotAction' : 'Action']: actions.length === 1 ? actions[0] : actions,
        [s.notResource ? 'NotResource' : 'Resource']: s.resources.length === 1 ? s.resources[0] : s.resources,
        ...(s.condition ? { Condition: s.condition } : {}),
      };
    }),
  }) as PolicyDocument);

const WHEN = fc.constantFrom<string | undefined>(undefined, OLD, RECENT);
const TRACKED: Record<string, string[]> = {
  s3: ['GetBucketPolicy', 'PutBucketPolicy', 'CreateBucket', 'DeleteBucket', 'GetNewThing2027'],
  iam: ['CreateUser', 'CreateRole', 'PassRole', 'GetRole', 'ListRoles'],
  ec2: ['RunInstances', 'DescribeInstances', 'TerminateInstances', 'StopInstances', 'StartInstances'],
  lambda: ['CreateFunction', 'GetFunction', 'DeleteFunction', 'UpdateFunctionCode', 'ListFunctions'],
};
const SERVICES = ['s3', 'dynamodb', 'iam', 'lambda', 'ec2', 'sqs', 'newsvc'];
const EXCEPTIONS: PermissionException[] = [
  { permission: 'sqs', reason: 'queue drained yearly' },
  { permission: 'ec2:Describe*', reason: 'AMI lookups' },
  { permission: 's3:PutBucketPolicy', reason: 'break-glass' },
];

const reportArb = fc
  .record({
    services: fc.array(fc.record({ ns: fc.constantFrom(...SERVICES), last: WHEN, tracked: fc.array(WHEN, { minLength: 5, maxLength: 5 }) }), { maxLength: 6 }),
    allow: fc.subarray(EXCEPTIONS),
  })
  .map((r) => {
    const seen = new Set<string>();
    const services: ServiceLastAccessed[] = [];
    for (const s of r.services) {
      if (seen.has(s.ns)) continue;
      seen.add(s.ns);
      const tracked = TRACKED[s.ns] ? Object.fromEntries(TRACKED[s.ns]!.map((a, i) => [a, s.tracked[i]])) : undefined;
      services.push(service(s.ns, s.last, tracked));
    }
    return { report: report(services, { granularity: 'ACTION_LEVEL' }), allow: r.allow };
  });

function exceptionCovers(allow: readonly PermissionException[], action: string): boolean {
  const ns = action.slice(0, action.indexOf(':')).toLowerCase();
  return allow.some((e) => (!e.permission.includes(':') ? e.permission === ns : new RegExp(`^${e.permission.replace(/\*/g, '.*')}$`, 'i').test(action)));
}

/** The documented rule, independently: can the evidence remove this concrete action? */
function removable(r: ServiceLastAccessedReport, allow: readonly PermissionException[], action: string): boolean {
  if (action.toLowerCase() === 'iam:passrole' || exceptionCovers(allow, action)) return false;
  const [ns, name] = [action.slice(0, action.indexOf(':')).toLowerCase(), action.slice(action.indexOf(':') + 1).toLowerCase()];
  const s = r.servicesLastAccessed.find((x) => x.serviceNamespace === ns);
  if (!s) return false;
  const tracked = s.trackedActionsLastAccessed ?? [];
  const used = s.lastAuthenticated === RECENT || tracked.some((a) => a.lastAccessedTime === RECENT);
  if (!used) return true;
  const t = tracked.find((a) => a.actionName.toLowerCase() === name);
  return t !== undefined && t.lastAccessedTime !== RECENT && silenceIsEvidence(ns, name, windowStart(NOW));
}

/** The documented exception: a future action of a wholly unused service that keeps something may stay allowed. */
function mayStay(r: ServiceLastAccessedReport, allow: readonly PermissionException[], action: string, future: boolean): boolean {
  if (!future) return false;
  const ns = action.slice(0, action.indexOf(':')).toLowerCase();
  const s = r.servicesLastAccessed.find((x) => x.serviceNamespace === ns);
  if (!s || !removable(r, allow, `${ns}:ZzProbe`)) return false;
  const keeps = ns === 'iam' || allow.some((e) => e.permission.toLowerCase().startsWith(`${ns}:`));
  return keeps;
}

async function checkExact(original: PolicyDocument, documents: readonly PolicyDocument[], r: ServiceLastAccessedReport, allow: readonly PermissionException[]): Promise<number> {
  let checked = 0;
  for (const [i, context] of CONTEXTS.entries()) {
    const before = compileIdentityPolicies([original], { variables: context });
    const after = compileIdentityPolicies(documents, { variables: context });
    for (const [future, requests] of [[false, KNOWN], [true, FUTURE]] as const) {
      for (const [action, resource] of requests) {
        const was = before.allows(action, resource);
        const is = after.allows(action, resource);
        if (mayStay(r, allow, action, future)) {
          if (is) expect([action, resource, i, was]).toEqual([action, resource, i, true]);
          continue;
        }
        expect([action, resource, i, is]).toEqual([action, resource, i, was && !removable(r, allow, action)]);
        checked++;
      }
    }
    for (const [action, resource] of KNOWN) {
      const was = (await simulate([original], action, resource, context)) === 'Allowed';
      const is = (await simulate(documents, action, resource, context)) === 'Allowed';
      expect(['iam-simulate', action, resource, i, is]).toEqual(['iam-simulate', action, resource, i, was && !removable(r, allow, action)]);
      checked++;
    }
  }
  return checked;
}

describe('the exact form: allowed(tightened) = allowed(original) − removable', () => {
  it('for random policies and reports, catalog and future actions, iam-simulate and our evaluator', async () => {
    let checked = 0;
    let denied = 0;
    await fc.assert(
      fc.asyncProperty(policyArb, reportArb, async (policy, { report: r, allow }) => {
        const result = tightenPolicy(policy, r, { catalog, now: NOW, allow, judgeUnknownHistory: true });
        expect(result.proof.failures).toEqual([]);
        expect(result.documents).toHaveLength(1);
        denied += result.deniedActions.length;
        checked += await checkExact(policy, result.documents, r, allow);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40), seed: Number(process.env.PROPERTY_SEED ?? 2424), endOnFailure: true },
    );
    expect(checked).toBeGreaterThan(2000);
    // The generators must exercise "denied within a kept wildcard".
    expect(denied).toBeGreaterThan(20);
  }, 300_000);

  it('for results split over several managed policies, the documents taken together', async () => {
    // Every catalog service in the report, most unused: the Deny lists of "*" need more than 6,144 characters.
    const used = ['s3', 'lambda', 'iam', 'ec2'];
    const everything: ServiceLastAccessed[] = catalog
      .services()
      .filter((ns) => !used.includes(ns))
      .map((ns) => service(ns, ns.length % 3 === 0 ? OLD : undefined));
    let splits = 0;
    await fc.assert(
      fc.asyncProperty(policyArb, reportArb, async (policy, { report: base, allow }) => {
        const admin: PolicyDocument = { ...policy, Statement: [...[policy.Statement].flat(), { Effect: 'Allow', Action: '*', Resource: '*' }] };
        const r: ServiceLastAccessedReport = { ...base, servicesLastAccessed: [...base.servicesLastAccessed, ...everything.filter((e) => !base.servicesLastAccessed.some((b) => b.serviceNamespace === e.serviceNamespace))] };
        const result = tightenPolicy(admin, r, { catalog, now: NOW, allow, judgeUnknownHistory: true });
        expect(result.proof.failures).toEqual([]);
        for (const d of result.documents) expect(JSON.stringify(d).length).toBeLessThanOrEqual(6144);
        if (result.documents.length > 1) splits++;
        await checkExact(admin, result.documents, r, allow);
      }),
      { numRuns: Number(process.env.PROPERTY_SPLIT_RUNS ?? 6), seed: Number(process.env.PROPERTY_SEED ?? 2424), endOnFailure: true },
    );
    expect(splits).toBeGreaterThan(3);
  }, 300_000);
});
