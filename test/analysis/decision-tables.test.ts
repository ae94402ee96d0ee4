import { compileIdentityPolicies } from '../../src/analysis/evaluate';
import { assessEvidence, isRemovable, removableActions } from '../../src/analysis/evidence';
import { serviceRuns, serviceRunsOfFrozen, sortedRunOrder } from '../../src/analysis/service-runs';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { ACTION_PATTERNS, REQUESTS, RESOURCE_PATTERNS, pick, prng } from './generators';
import { NOW, OLD, RECENT, report, service } from './fixtures';

// The proof reads its decisions from tables computed per run of one service (allowsTable, removableActions); each
// entry must be what the one-at-a-time functions answer, for every order of actions and every kind of pattern.

// Service wildcards and names without a colon are refused by the policy parser; mixed case is not.
const EXTRA_PATTERNS = ['S3:*', 'iAm:pass*', 'dynamodb:?etItem', 'zz-new:*', 'Ec2:Describe*'];
const ACTIONS = [
  ...new Set([
    ...REQUESTS.map(([a]) => a),
    's3:GetBucketPolicy',
    'S3:getobject',
    's3:ListBucket',
    's3-outposts:GetObject',
    'iam:PassRole',
    'IAM:passrole',
    'dynamodb:Scan',
    'zz-new:Thing',
    'noservice',
    ':empty',
    'ec2:DescribeInstances',
  ]),
];
const RESOURCES = ['*', ...REQUESTS.map(([, r]) => r), 'arn:aws:s3:::alpha'];

function randomStatements(rand: () => number) {
  return pick(rand, [0], 1, 4).map(() => {
    const actions = pick(rand, [...ACTION_PATTERNS, ...EXTRA_PATTERNS], 1, 4);
    const resources = pick(rand, RESOURCE_PATTERNS, 1, 2);
    return {
      Effect: rand() < 0.35 ? 'Deny' : 'Allow',
      [rand() < 0.2 ? 'NotAction' : 'Action']: actions,
      [rand() < 0.15 ? 'NotResource' : 'Resource']: resources,
    };
  });
}

/** The actions in runs of one service (as candidates come), then shuffled (as a claim list may come). */
function orders(rand: () => number): string[][] {
  const grouped = [...ACTIONS].sort();
  const shuffled = [...ACTIONS].sort(() => rand() - 0.5);
  return [grouped, shuffled, [...grouped, ...shuffled]];
}

describe('decision tables', () => {
  it('allowsTable gives allows() for every action and resource, in any order (400 random policies)', () => {
    const rand = prng(2601);
    let allowedSeen = 0;
    for (let i = 0; i < 400; i++) {
      const evaluator = compileIdentityPolicies([{ Version: '2012-10-17', Statement: randomStatements(rand) } as never], {});
      for (const actions of orders(rand)) {
        const table = evaluator.allowsTable(actions, RESOURCES);
        expect(table).toHaveLength(actions.length * RESOURCES.length);
        actions.forEach((action, a) =>
          RESOURCES.forEach((resource, r) => {
            const expected = evaluator.allows(action, resource) ? 1 : 0;
            if (table[a * RESOURCES.length + r] !== expected) throw new Error(`policy ${i}: ${action} on ${resource}: table ${table[a * RESOURCES.length + r]}, allows ${expected}`);
            allowedSeen += expected;
          }),
        );
      }
    }
    // The generated policies allow some and deny some of the pairs: the comparison saw both answers.
    expect(allowedSeen).toBeGreaterThan(1000);
    expect(allowedSeen).toBeLessThan(400 * 3 * ACTIONS.length * RESOURCES.length);
  });

  it('removableActions gives isRemovable() for every action, in any order, with and without exceptions', () => {
    const rand = prng(2602);
    const r = report([
      service('s3', RECENT, { GetObject: RECENT, PutObject: OLD, DeleteObject: undefined, ListBucket: undefined }),
      service('dynamodb'),
      service('iam', OLD),
      service('ec2', OLD, { DescribeInstances: undefined }),
      service('zz-new', RECENT, { Thing: undefined }),
    ]);
    const exceptionSets = [[], [{ permission: 's3:Delete*', reason: 'test' }], [{ permission: 'dynamodb', reason: 'test' }, { permission: 'zz-new:thing', reason: 'test' }]];
    let removableSeen = 0;
    for (const allow of exceptionSets) {
      for (const status of [{}, { staleReason: 'stale for the test' }]) {
        const evidence = assessEvidence(r, { now: NOW, allow, ...status });
        for (const actions of orders(rand)) {
          const table = removableActions(evidence, actions);
          actions.forEach((action, i) => {
            expect([action, table[i]]).toEqual([action, isRemovable(evidence, action) ? 1 : 0]);
            removableSeen += table[i]!;
          });
        }
      }
    }
    expect(removableSeen).toBeGreaterThan(10);
  });

  it('serviceRuns cuts the list where the service changes, each run of one service as written', () => {
    const rand = prng(2604);
    for (const actions of orders(rand)) {
      const runs = serviceRuns(actions);
      expect(runs.starts[0]).toBe(0);
      expect(runs.starts[runs.count]).toBe(actions.length);
      for (let k = 0; k < runs.count; k++) {
        const run = actions.slice(runs.starts[k], runs.starts[k + 1]);
        expect(run.length).toBeGreaterThan(0);
        const service = (a: string) => (a.includes(':') ? a.slice(0, a.indexOf(':')) : `(${a})`);
        expect(new Set(run.map(service)).size).toBe(1);
        if (!run[0]!.includes(':')) expect(run).toHaveLength(1);
      }
    }
  });

  it('sortedRunOrder reads a catalog-ordered list sorted, and refuses lists it cannot (a run out of order, a service twice)', () => {
    // Services whose names are prefixes of one another sort around the colon: `iot-data:` < `iot:` < `iot1click:`.
    const services = ['a', 'a-b', 'ec2', 'iot', 'iot-data', 'iot1click', 's3', 's3-outposts'];
    const list = services.flatMap((svc) => ['Delete', 'Get', 'GetObject', 'List'].map((n) => `${svc}:${n}`));
    const walk = (actions: string[]) => {
      const runs = serviceRunsOfFrozen(actions);
      return [...sortedRunOrder(actions)!].flatMap((k) => actions.slice(runs.starts[k], runs.starts[k + 1]));
    };
    expect(list).not.toEqual([...list].sort());
    expect(walk(list)).toEqual([...list].sort());
    const catalogOrder = loadActionCatalog().expand('*');
    expect(walk([...catalogOrder])).toEqual([...catalogOrder].sort());
    expect(sortedRunOrder(['s3:Get', 's3:Delete'])).toBeUndefined();
    expect(sortedRunOrder(['s3:A', 'ec2:A', 's3:B'])).toBeUndefined();
    expect(sortedRunOrder(['s3:A', 'noservice'])).toBeUndefined();
  });
});
