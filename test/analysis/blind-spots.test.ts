import fc from 'fast-check';
import {
  AnalysisInputError,
  evaluateIdentityPolicies,
  findUnusedPermissions,
  loadActionCatalog,
  tightenPolicy,
  verifyTightening,
} from '../../src/analysis';
import * as publicApi from '../../src/index';
import { allow, NOW, OLD, RECENT, report, service } from './fixtures';
import { parsePolicyDocument } from '../../src/analysis/policy-document';

/** One test per blind spot of issue 12 (docs/decisions.md, "Blind spots"). */

const FIVE_DAYS_AGO = '2026-05-27T00:00:00Z';
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const HOME = 'arn:aws:s3:::home-bucket/${aws:username}/*';

function alicePolicy(version?: string) {
  return {
    ...(version ? { Version: version } : {}),
    Statement: [allow('s3:GetObject', HOME), allow('ec2:RunInstances')],
  } as never;
}

describe('1. the policy language is kept exactly', () => {
  const aliceReport = report([service('s3', FIVE_DAYS_AGO), service('ec2')], { arn: ALICE });

  it.each(['2008-10-17', undefined])('Version %s is kept when services are removed', (version) => {
    const result = tightenPolicy(alicePolicy(version), aliceReport, { now: NOW });
    expect(result.removedServices).toEqual(['ec2']);
    expect(result.policy.Version).toBe(version);
    expect('Version' in result.policy).toBe(version !== undefined);
    expect(result.policy.Statement).toEqual([allow('s3:GetObject', HOME)]);
    expect(result.proof.holds).toBe(true);
  });

  it('Version 2008-10-17 is kept when nothing is removed (insufficient history)', () => {
    const young = report([service('s3', FIVE_DAYS_AGO), service('ec2')], { arn: ALICE, principalCreateDate: '2026-05-01T00:00:00Z' });
    const result = tightenPolicy(alicePolicy('2008-10-17'), young, { now: NOW });
    expect(result.findings.status).toBe('insufficient-history');
    expect(result.policy).toEqual(alicePolicy('2008-10-17'));
  });

  it('our evaluator reads ${...} in a Resource as literal text under 2008-10-17 and as a variable under 2012-10-17', () => {
    const literal = 'arn:aws:s3:::home-bucket/${aws:username}/photo.jpg';
    const resolved = 'arn:aws:s3:::home-bucket/alice/photo.jpg';
    const context = { variables: { 'aws:username': 'alice' } };
    expect(evaluateIdentityPolicies([alicePolicy('2008-10-17')], 's3:GetObject', literal, context)).toBe('Allowed');
    expect(evaluateIdentityPolicies([alicePolicy('2008-10-17')], 's3:GetObject', resolved, context)).toBe('ImplicitlyDenied');
    expect(evaluateIdentityPolicies([alicePolicy()], 's3:GetObject', literal, context)).toBe('Allowed');
    expect(evaluateIdentityPolicies([alicePolicy('2012-10-17')], 's3:GetObject', resolved, context)).toBe('Allowed');
    expect(evaluateIdentityPolicies([alicePolicy('2012-10-17')], 's3:GetObject', literal, context)).toBe('ImplicitlyDenied');
  });
});

describe('2. unknown history removes nothing unless the caller opts in', () => {
  const noDate = report([service('s3', RECENT), service('ec2')], { principalCreateDate: undefined });

  it('a report without principalCreateDate is unknown-history: nothing flagged, the reason says how to opt in', () => {
    const unused = findUnusedPermissions(noDate, { now: NOW });
    expect(unused.status).toBe('unknown-history');
    expect(unused.principalCreateDateKnown).toBe(false);
    expect(unused.unusedServices).toEqual([]);
    expect(unused.statusReason).toMatch(/creation date .*could not be read/);
    expect(unused.statusReason).toContain('judgeUnknownHistory');
    const tightened = tightenPolicy({ Version: '2012-10-17', Statement: [allow(['s3:GetObject', 'ec2:RunInstances'])] }, noDate, { now: NOW });
    expect(tightened.removedActions).toEqual([]);
    expect(tightened.notes.join('\n')).toContain('unknown history');
  });

  it('judgeUnknownHistory: true judges it, and says so', () => {
    const unused = findUnusedPermissions(noDate, { now: NOW, judgeUnknownHistory: true });
    expect(unused.status).toBe('sufficient');
    expect(unused.unusedServices).toEqual(['ec2']);
    expect(unused.statusReason).toContain('judgeUnknownHistory');
    const known = findUnusedPermissions(report([service('ec2')]), { now: NOW });
    expect(known.principalCreateDateKnown).toBe(true);
  });
});

describe('3. the window must fit the tracking period', () => {
  it.each([0, 401, 730, -3, Number.NaN])('unusedAfterDays %p is an input error naming the field and the ~400-day tracking period', (days) => {
    const run = () => findUnusedPermissions(report([service('ec2', '2025-01-15T00:00:00Z')]), { now: NOW, unusedAfterDays: days });
    expect(run).toThrow(AnalysisInputError);
    expect(run).toThrow(/unusedAfterDays: .* expected a number of days from 1 to 400 .*tracks about 400 days/);
  });

  it('400 and 1 are allowed', () => {
    expect(findUnusedPermissions(report([service('ec2')]), { now: NOW, unusedAfterDays: 400 }).unusedServices).toEqual(['ec2']);
    expect(findUnusedPermissions(report([service('ec2', RECENT)]), { now: NOW, unusedAfterDays: 1 }).unusedServices).toEqual(['ec2']);
  });
});

describe('4. action-level use inside the window makes the service used', () => {
  it('an old service timestamp with a recently used tracked action: nothing of the service is removed but its unused tracked actions', () => {
    const r = report([service('s3', OLD, { GetBucketPolicy: RECENT, PutBucketPolicy: OLD })]);
    const unused = findUnusedPermissions(r, { now: NOW });
    expect(unused.unusedServices).toEqual([]);
    expect(unused.usedServices).toEqual(['s3']);
    expect(unused.usedActions).toEqual(['s3:GetBucketPolicy']);
    expect(unused.unusedActions).toEqual(['s3:PutBucketPolicy']);
    const tightened = tightenPolicy({ Version: '2012-10-17', Statement: [allow(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:GetObject'])] }, r, { now: NOW });
    expect(tightened.removedActions).toEqual(['s3:PutBucketPolicy']);
  });
});

describe('5. nothing unknown is lost', () => {
  it('"*" stays "*" and the unused services are denied: services newer than the catalog stay allowed', () => {
    const r = report([service('s3', RECENT), service('ec2'), service('brandnewsvc', RECENT)]);
    const result = tightenPolicy({ Version: '2012-10-17', Statement: [allow('*')] }, r, { now: NOW });
    expect(result.policy.Statement).toEqual([allow('*'), { Sid: 'AccessAdvisorDenyUnusedServices', Effect: 'Deny', Action: 'ec2:*', Resource: '*' }]);
    expect(evaluateIdentityPolicies([result.policy], 'brandnewsvc:DoThing')).toBe('Allowed');
    expect(evaluateIdentityPolicies([result.policy], 'othernewsvc:DoThing')).toBe('Allowed');
    expect(evaluateIdentityPolicies([result.policy], 'ec2:RunInstances')).toBe('ExplicitlyDenied');
    expect(result.removedServices).toEqual(['ec2']);
    expect(result.proof.holds).toBe(true);
  });

  it('"*" minus an unused iam keeps iam:PassRole and the excepted actions', () => {
    const r = report([service('s3', RECENT), service('iam'), service('sns')]);
    const result = tightenPolicy({ Version: '2012-10-17', Statement: [allow('*')] }, r, {
      now: NOW,
      allow: [{ permission: 'sns:Pub*', reason: 'alarm fan-out' }],
    });
    for (const kept of ['iam:PassRole', 'sns:Publish', 'sns:PublishBatchFromTheFuture', 's3:GetObject', 'newsvc:Get']) {
      expect([kept, evaluateIdentityPolicies([result.policy], kept)]).toEqual([kept, 'Allowed']);
    }
    for (const gone of ['iam:CreateUser', 'sns:CreateTopic']) expect([gone, evaluateIdentityPolicies([result.policy], gone)]).toEqual([gone, 'ExplicitlyDenied']);
    expect(result.proof.holds).toBe(true);
  });

  it('s3:* with unused tracked actions stays s3:* (actions newer than the catalog stay allowed) and the unused one is denied', () => {
    const r = report([service('s3', RECENT, { GetBucketPolicy: RECENT, PutBucketPolicy: OLD, GetBrandNewThing: RECENT })]);
    const result = tightenPolicy({ Version: '2012-10-17', Statement: [allow('s3:*')] }, r, { now: NOW });
    expect(result.policy.Statement).toEqual([allow('s3:*'), { Sid: 'AccessAdvisorDenyUnusedTrackedActions', Effect: 'Deny', Action: 's3:PutBucketPolicy', Resource: '*' }]);
    expect(result.removedActions).toEqual(['s3:PutBucketPolicy']);
    expect(result.deniedActions).toEqual(['s3:PutBucketPolicy']);
    for (const kept of ['s3:GetBrandNewThing', 's3:GetObject', 's3:PutZzFutureAction']) expect([kept, evaluateIdentityPolicies([result.policy], kept)]).toEqual([kept, 'Allowed']);
    expect(result.notes.join('\n')).toMatch(/"s3:\*" kept as written; 1 unused tracked action/);
  });

  it('splitWildcards: true splits (lossy, noted) but keeps the used actions the catalog does not know', () => {
    const r = report([service('s3', RECENT, { GetBucketPolicy: RECENT, PutBucketPolicy: OLD, GetBrandNewThing: RECENT })]);
    const result = tightenPolicy({ Version: '2012-10-17', Statement: [allow('s3:*')] }, r, { now: NOW, splitWildcards: true });
    expect(result.removedActions).toEqual(['s3:PutBucketPolicy']);
    expect(evaluateIdentityPolicies([result.policy], 's3:GetBrandNewThing')).toBe('Allowed');
    expect(evaluateIdentityPolicies([result.policy], 's3:GetObject')).toBe('Allowed');
    expect(result.notes.join('\n')).toContain('newer than the catalog');
    expect(result.proof.holds).toBe(true);
  });

  it('verifyTightening rejects a split that drops an action newer than the catalog', () => {
    const r = report([service('s3', RECENT, { PutBucketPolicy: OLD })]);
    const catalog = loadActionCatalog();
    const split = catalog.actions('s3').filter((a) => a !== 'PutBucketPolicy').map((a) => `s3:${a}`);
    const proof = verifyTightening({ Version: '2012-10-17', Statement: [allow('s3:*')] }, { Version: '2012-10-17', Statement: [allow(split)] }, r, { now: NOW });
    expect(proof.holds).toBe(false);
    expect(proof.failures.join('\n')).toMatch(/newer than the catalog/);
  });
});

describe('6. verifyTightening judges Conditions and Version semantics', () => {
  const r = report([service('s3', RECENT), service('ec2')]);
  const condition = { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } };

  it('rejects a candidate that drops a Condition', () => {
    const original = { Version: '2012-10-17', Statement: [allow(['s3:GetObject', 'ec2:RunInstances'], '*', { Condition: condition })] };
    const candidate = { Version: '2012-10-17', Statement: [allow('s3:GetObject')] };
    const proof = verifyTightening(original, candidate, r, { now: NOW });
    expect(proof.holds).toBe(false);
    expect(proof.failures.join('\n')).toMatch(/s3:GetObject .*Condition/);
  });

  it('rejects a candidate that weakens a Condition (more values)', () => {
    const original = { Version: '2012-10-17', Statement: [allow('s3:GetObject', '*', { Condition: condition })] };
    const weaker = { Version: '2012-10-17', Statement: [allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } } })] };
    expect(verifyTightening(original, weaker, r, { now: NOW }).holds).toBe(false);
    const stricter = { Version: '2012-10-17', Statement: [allow('s3:GetObject', '*', { Condition: { ...condition, Bool: { 'aws:SecureTransport': 'true' } } })] };
    expect(verifyTightening(original, stricter, r, { now: NOW }).failures).toEqual([]);
  });

  it('rejects a candidate that only changes Version 2008-10-17 to 2012-10-17 with a policy variable in a Resource', () => {
    const proof = verifyTightening(alicePolicy('2008-10-17'), alicePolicy('2012-10-17'), report([service('s3', RECENT), service('ec2', RECENT)]), { now: NOW });
    expect(proof.holds).toBe(false);
    expect(proof.failures.join('\n')).toMatch(/Version .*2008-10-17.*2012-10-17.*\$\{aws:username\}/);
  });

  it('rejects a candidate that widens a Resource', () => {
    const original = { Version: '2012-10-17', Statement: [allow('s3:GetObject', 'arn:aws:s3:::data/*')] };
    const wider = { Version: '2012-10-17', Statement: [allow('s3:GetObject', 'arn:aws:s3:::*')] };
    expect(verifyTightening(original, wider, r, { now: NOW }).holds).toBe(false);
  });
});

describe('7. the API works without a deep import', () => {
  it('loadActionCatalog is exported from the package and the catalog is optional', () => {
    expect(typeof publicApi.loadActionCatalog).toBe('function');
    const catalog = publicApi.loadActionCatalog();
    expect(catalog.canonicalAction('s3', 'getobject')).toBe('GetObject');
    const r = report([service('s3', RECENT), service('ec2')]);
    const policy = { Version: '2012-10-17', Statement: [allow(['s3:GetObject', 'ec2:RunInstances'])] };
    const result = publicApi.tightenPolicy(policy, r, { now: NOW });
    expect(result.removedActions).toEqual(['ec2:RunInstances']);
    expect(publicApi.verifyTightening(policy, result.policy, r, { now: NOW }).holds).toBe(true);
  });

  it.each([
    ['no options', () => tightenPolicy({ Statement: [allow('s3:GetObject')] }, report([service('s3')]), undefined as never), /./],
    ['no report', () => tightenPolicy({ Statement: [allow('s3:GetObject')] }, undefined as never), /report/],
    ['null options', () => verifyTightening({ Statement: [allow('s3:GetObject')] }, { Statement: [allow('s3:GetObject')] }, report([service('s3')]), null as never), /options/],
    ['a catalog that is not one', () => tightenPolicy({ Statement: [allow('s3:GetObject')] }, report([service('s3')]), { catalog: {} as never }), /catalog/],
    ['no policy', () => verifyTightening(undefined as never, { Statement: [allow('s3:GetObject')] }, report([service('s3')])), /original policy/],
  ])('%s → AnalysisInputError, never a TypeError', (_name, run, message) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    if (_name === 'no options') {
      expect(error).toBeUndefined();
      return;
    }
    expect(error).toBeInstanceOf(AnalysisInputError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('7. hostile input is an AnalysisInputError, never a TypeError', () => {
  const junk = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.string(), fc.constant([]), fc.constant({}), fc.constant([null]), fc.constant([{}]));
  const validReport = report([service('s3', RECENT, { GetBucketPolicy: RECENT }), service('ec2')]);
  const validPolicy = { Version: '2012-10-17', Statement: [allow(['s3:*', 'ec2:RunInstances'])] };
  // Replace one field (of the report, a service, a tracked action, the options, the policy) with junk.
  const mutation = fc.oneof(
    fc.record({ where: fc.constant('report'), key: fc.constantFrom('arn', 'granularity', 'servicesLastAccessed', 'jobCompletionDate', 'principalCreateDate', 'kind'), value: junk }),
    fc.record({ where: fc.constant('service'), key: fc.constantFrom('serviceNamespace', 'lastAuthenticated', 'trackedActionsLastAccessed'), value: junk }),
    fc.record({ where: fc.constant('tracked'), key: fc.constantFrom('actionName', 'lastAccessedTime'), value: junk }),
    fc.record({ where: fc.constant('options'), key: fc.constantFrom('unusedAfterDays', 'now', 'allow', 'maxReportAgeDays', 'judgeUnknownHistory', 'catalog', 'splitWildcards', 'sourceName'), value: junk }),
    fc.record({ where: fc.constant('policy'), key: fc.constantFrom('Statement', 'Version', 'Id'), value: junk }),
  );

  it('for tightenPolicy, verifyTightening and findUnusedPermissions', () => {
    fc.assert(
      fc.property(mutation, ({ where, key, value }) => {
        const r = structuredClone(validReport) as unknown as Record<string, unknown> & { servicesLastAccessed: Record<string, unknown>[] };
        const policy = structuredClone(validPolicy) as Record<string, unknown>;
        const options: Record<string, unknown> = { now: NOW };
        const target =
          where === 'report' ? r
          : where === 'service' ? r.servicesLastAccessed[0]!
          : where === 'tracked' ? (r.servicesLastAccessed[0]!.trackedActionsLastAccessed as Record<string, unknown>[])[0]!
          : where === 'options' ? options
          : policy;
        target[key] = value;
        for (const run of [
          () => tightenPolicy(policy as never, r as never, options as never),
          () => verifyTightening(policy as never, validPolicy, r as never, options as never),
          () => findUnusedPermissions(r as never, options as never),
        ]) {
          try {
            run();
          } catch (e) {
            if (!(e instanceof AnalysisInputError)) throw new Error(`${where}.${key} = ${JSON.stringify(value)}: ${(e as Error).stack}`);
          }
        }
      }),
      { numRuns: 150, seed: 12 },
    );
  });
});

describe('malformed actions are refused wherever a policy enters', () => {
  it.each(['::', 's3:', ':GetObject', 's3:Get Object', 's3:GetObject:x'])('%j', (action) => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', action], Resource: '*' }] };
    expect(() => parsePolicyDocument(doc, 'policy')).toThrow(new RegExp(`Statement\\[0\\]\\.Action\\[1\\]: ${JSON.stringify(action).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not allowed`));
  });

  it('accepts every form IAM accepts', () => {
    const doc = { Statement: [{ Effect: 'Allow', Action: ['*', 's3:*', 's3:Get*', 'execute-api:Invoke', 'ec2:Describe?nstances'], Resource: '*' }] };
    expect(() => parsePolicyDocument(doc, 'policy')).not.toThrow();
  });
});
