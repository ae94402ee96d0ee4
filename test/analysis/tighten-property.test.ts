import fc from 'fast-check';
import { compileIdentityPolicies, tightenPolicy, type PermissionException, type PolicyDocument } from '../../src/analysis';
import type { ServiceLastAccessed, ServiceLastAccessedReport } from '../../src/model/report';
import { NOW, OLD, RECENT, report, service } from './fixtures';
import { simulate } from './oracle';

/**
 * The safety property of every tightening (issue 12): for random policies (Version 2012/2008/absent, policy
 * variables, Conditions, NotAction/NotResource, wildcards with `*` and `?`, services and actions the catalog does
 * not know) and random reports (unused, old, recent, tracked actions, unknown creation dates, exceptions), the
 * tightened document
 * - allows nothing the original did not, at any resource and in any request context (Conditions as written);
 * - decides exactly as the original for every action the evidence cannot prove unused: used, untracked, unknown
 *   to the catalog, excepted, iam:PassRole;
 * - removes only actions the documented rules prove unused.
 * Checked with @cloud-copilot/iam-simulate (an independent evaluator; it refuses actions it does not know, so those
 * are checked by ours only) and with our own evaluator.
 */

const ACTIONS = [
  's3:*', 's3:Get*', 's3:GetObject', 'S3:getobject', 's3:Get?bject', 's3:*Object', 's3:Put*', 's3:GetNewThing2027',
  'dynamodb:*', 'dynamodb:GetItem', 'iam:*', 'iam:PassRole', 'iam:Pass*', 'iam:Create*', 'lambda:Invoke*', 'ec2:*',
  'ec2:Run?nstances', 'ec2:Describe*', 'sqs:*', 'sqs:SendMessage', 'newsvc:*', 'newsvc:DoThing', 'newsvc:Do?hing',
];
const RESOURCES = [
  '*', 'arn:aws:s3:::alpha/*', 'arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::*', 'arn:aws:s3:::alpha/key?',
  'arn:aws:dynamodb:*:123456789012:table/*', 'arn:aws:iam::123456789012:role/*', 'arn:aws:ec2:*:*:instance/*', 'arn:aws:s3:::alpha',
];
const CONDITIONS = [
  { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
  { Bool: { 'aws:SecureTransport': 'true' } },
  { StringLike: { 'aws:userid': ['${aws:username}*', 'AID*'] } },
];

/** Requests iam-simulate can evaluate (resource types match the action). */
const KNOWN_REQUESTS: readonly [string, string][] = [
  ['s3:GetObject', 'arn:aws:s3:::alpha/key1'],
  ['s3:GetObject', 'arn:aws:s3:::home/alice/photo'],
  ['s3:GetObject', 'arn:aws:s3:::home/${aws:username}/photo'],
  ['s3:PutObject', 'arn:aws:s3:::alpha/key1'],
  ['s3:GetBucketPolicy', 'arn:aws:s3:::alpha'],
  ['s3:PutBucketPolicy', 'arn:aws:s3:::alpha'],
  ['dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/t1'],
  ['iam:PassRole', 'arn:aws:iam::123456789012:role/worker'],
  ['iam:CreateUser', 'arn:aws:iam::123456789012:user/bob'],
  ['lambda:InvokeFunction', 'arn:aws:lambda:us-east-1:123456789012:function:f1'],
  ['ec2:RunInstances', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc'],
  ['ec2:DescribeInstances', '*'],
  ['sqs:SendMessage', 'arn:aws:sqs:us-east-1:123456789012:q1'],
];
/** Actions no catalog knows (a service or an action newer than it): our evaluator only. */
const UNKNOWN_REQUESTS: readonly [string, string][] = [
  ['newsvc:DoThing', '*'],
  ['newsvc:DoThing', 'arn:aws:s3:::alpha/key1'],
  ['s3:GetNewThing2027', 'arn:aws:s3:::alpha/key1'],
  ['s3:GetNewThing2027', 'arn:aws:s3:::home/alice/x'],
  ['brandnew:Anything', '*'],
];
const CONTEXTS: readonly Record<string, string>[] = [
  { 'aws:username': 'alice', 'aws:RequestedRegion': 'eu-west-1', 'aws:SecureTransport': 'true', 'aws:userid': 'alice1' },
  { 'aws:username': 'bob', 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'false', 'aws:userid': 'AIDEXAMPLE' },
];

const statementArb = fc.record({
  effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
  notAction: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  everything: fc.integer({ min: 0, max: 11 }).map((n) => n === 0),
  actions: fc.subarray(ACTIONS, { minLength: 1, maxLength: 3 }),
  notResource: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  resources: fc.subarray(RESOURCES, { minLength: 1, maxLength: 2 }),
  condition: fc.option(fc.constantFrom(...CONDITIONS), { freq: 3 }),
  sid: fc.option(fc.constantFrom('A', 'B'), { freq: 2 }),
});

const policyArb = fc
  .record({ version: fc.constantFrom<string | undefined>('2012-10-17', '2008-10-17', undefined), statements: fc.array(statementArb, { minLength: 1, maxLength: 3 }) })
  .map(({ version, statements }): PolicyDocument => {
    const sids = new Set<string>();
    return {
      ...(version ? { Version: version } : {}),
      Statement: statements.map((s) => {
        const actions = s.everything ? ['*', ...s.actions.slice(1)] : s.actions;
        const sid = s.sid && !sids.has(s.sid) ? (sids.add(s.sid), s.sid) : undefined;
        return {
          ...(sid ? { Sid: sid } : {}),
          Effect: s.effect as 'Allow' | 'Deny',
          [s.notAction ? 'NotAction' : 'Action']: actions.length === 1 ? actions[0] : actions,
          [s.notResource ? 'NotResource' : 'Resource']: s.resources.length === 1 ? s.resources[0] : s.resources,
          ...(s.condition ? { Condition: s.condition } : {}),
        };
      }),
    } as PolicyDocument;
  });

const WHEN = fc.constantFrom<string | undefined>(undefined, OLD, RECENT);
const TRACKED: Record<string, string[]> = {
  s3: ['GetBucketPolicy', 'PutBucketPolicy', 'PutObject', 'GetNewThing2027'],
  iam: ['CreateUser', 'PassRole'],
  ec2: ['RunInstances'],
  lambda: ['InvokeFunction'],
};
const SERVICES = ['s3', 'dynamodb', 'iam', 'lambda', 'ec2', 'sqs', 'newsvc'];
const EXCEPTIONS: PermissionException[] = [
  { permission: 'sqs', reason: 'queue drained yearly' },
  { permission: 'ec2:Describe*', reason: 'AMI lookups' },
  { permission: 's3:PutBucketPolicy', reason: 'break-glass' },
  { permission: 'newsvc:*', reason: 'pilot' },
];

const reportArb = fc
  .record({
    actionLevel: fc.boolean(),
    services: fc.array(fc.record({ ns: fc.constantFrom(...SERVICES), last: WHEN, tracked: fc.array(WHEN, { minLength: 4, maxLength: 4 }) }), { maxLength: 6 }),
    created: fc.constantFrom<string | undefined>('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', undefined, '2026-05-15T00:00:00Z'),
    judgeUnknownHistory: fc.boolean(),
    allow: fc.subarray(EXCEPTIONS),
  })
  .map((r) => {
    const seen = new Set<string>();
    const services: ServiceLastAccessed[] = [];
    for (const s of r.services) {
      if (seen.has(s.ns)) continue;
      seen.add(s.ns);
      const tracked = r.actionLevel && TRACKED[s.ns] ? Object.fromEntries(TRACKED[s.ns]!.map((a, i) => [a, s.tracked[i]])) : undefined;
      services.push(service(s.ns, s.last, tracked));
    }
    const model: ServiceLastAccessedReport = report(services, { granularity: r.actionLevel ? 'ACTION_LEVEL' : 'SERVICE_LEVEL', principalCreateDate: r.created });
    return { report: model, options: { judgeUnknownHistory: r.judgeUnknownHistory, allow: r.allow } };
  });

/** The documented rules, written independently of src: can the evidence remove this concrete action? */
function provenUnused(r: ServiceLastAccessedReport, options: { judgeUnknownHistory: boolean; allow: PermissionException[] }, action: string): boolean {
  if (r.principalCreateDate === undefined ? !options.judgeUnknownHistory : r.principalCreateDate > '2026-03-03') return false;
  if (action.toLowerCase() === 'iam:passrole') return false;
  const [ns, name] = [action.slice(0, action.indexOf(':')).toLowerCase(), action.slice(action.indexOf(':') + 1).toLowerCase()];
  for (const e of options.allow) {
    if (!e.permission.includes(':') ? e.permission === ns : new RegExp(`^${e.permission.replace(/\*/g, '.*')}$`, 'i').test(action)) return false;
  }
  const s = r.servicesLastAccessed.find((x) => x.serviceNamespace === ns);
  if (!s) return false;
  const tracked = s.trackedActionsLastAccessed ?? [];
  const used = s.lastAuthenticated === RECENT || tracked.some((a) => a.lastAccessedTime === RECENT);
  if (!used) return true;
  const t = tracked.find((a) => a.actionName.toLowerCase() === name);
  return t !== undefined && t.lastAccessedTime !== RECENT;
}

describe('tightenPolicy: the safety property on random policies and reports', () => {
  it('never wider; every action without proof of non-use decides as before; only proven-unused actions are removed', async () => {
    let keptChecked = 0;
    let removedSeen = 0;
    await fc.assert(
      fc.asyncProperty(policyArb, reportArb, async (policy, { report: r, options }) => {
        const result = tightenPolicy(policy, r, { now: NOW, ...options });
        expect(result.proof.failures).toEqual([]);
        expect(result.policy.Version).toBe(policy.Version);
        for (const action of result.removedActions) {
          expect([action, provenUnused(r, options, action)]).toEqual([action, true]);
          removedSeen++;
        }
        for (const [i, context] of CONTEXTS.entries()) {
          const before = compileIdentityPolicies([policy], { variables: context });
          const after = compileIdentityPolicies([result.policy], { variables: context });
          for (const [action, resource] of [...KNOWN_REQUESTS, ...UNKNOWN_REQUESTS]) {
            const ours = [before.decide(action, resource), after.decide(action, resource)];
            if (ours[1] === 'Allowed') expect([action, resource, i, ours[0]]).toEqual([action, resource, i, 'Allowed']);
            if (!provenUnused(r, options, action)) expect([action, resource, i, ours[1]]).toEqual([action, resource, i, ours[0]]);
          }
          for (const [action, resource] of KNOWN_REQUESTS) {
            const b = await simulate([policy], action, resource, context);
            const a = await simulate([result.policy], action, resource, context);
            if (a === 'Allowed') expect([action, resource, i, b]).toEqual([action, resource, i, 'Allowed']);
            if (!provenUnused(r, options, action)) {
              keptChecked++;
              expect([action, resource, i, a]).toEqual([action, resource, i, b]);
            }
          }
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40), seed: Number(process.env.PROPERTY_SEED ?? 1212), endOnFailure: true },
    );
    // The generators must exercise both sides.
    expect(keptChecked).toBeGreaterThan(400);
    expect(removedSeen).toBeGreaterThan(15);
  }, 120_000);
});
