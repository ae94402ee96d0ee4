import { tightenPolicy } from '../../src/analysis';
import { loadActionCatalog } from '../../src/model/action-catalog';
import type { ServiceLastAccessed } from '../../src/model/report';
import { silenceIsEvidence, windowStart } from './documented-tracking';
import { NOW, OLD, RECENT, report, service } from './fixtures';
import { prng, randomPolicy, REQUESTS } from './generators';
import { simulate } from './oracle';

const catalog = loadActionCatalog();
const SERVICES = ['s3', 'dynamodb', 'iam', 'lambda', 'ec2'];
/** Tracked (management) actions the generated ACTION_LEVEL reports may list, per service. */
/** Some AWS documents as tracked, some it does not (their silence is no evidence: kept). */
const TRACKED: Record<string, string[]> = {
  s3: ['GetBucketPolicy', 'PutBucketPolicy', 'PutObject', 'DeleteObject'],
  iam: ['CreateUser', 'CreateRole', 'PassRole'],
  ec2: ['RunInstances', 'TerminateInstances'],
  lambda: ['CreateFunction', 'InvokeFunction'],
};

/**
 * A random report, with its truth stated by the generator itself: which services are unused, which tracked
 * actions are unused. The expected removability below follows the documented rules, independently of src.
 */
function randomReport(rand: () => number) {
  const actionLevel = rand() < 0.5;
  const unusedServices = new Set<string>();
  const unusedTracked = new Set<string>();
  const services: ServiceLastAccessed[] = SERVICES.map((ns) => {
    const roll = rand();
    const lastAuthenticated = roll < 0.35 ? undefined : roll < 0.5 ? OLD : RECENT;
    const used = lastAuthenticated === RECENT;
    if (!used) unusedServices.add(ns);
    let tracked: Record<string, string | undefined> | undefined;
    if (actionLevel && TRACKED[ns]) {
      tracked = {};
      for (const a of TRACKED[ns]!) {
        const t = used && rand() < 0.5 ? RECENT : rand() < 0.5 ? OLD : undefined;
        tracked[a] = t;
        if (used && t !== RECENT && silenceIsEvidence(ns, a, windowStart(NOW))) unusedTracked.add(`${ns}:${a}`.toLowerCase());
      }
    }
    return service(ns, lastAuthenticated, tracked);
  });
  const removable = (action: string) => {
    if (action.toLowerCase() === 'iam:passrole') return false;
    const ns = action.slice(0, action.indexOf(':'));
    return unusedServices.has(ns) || unusedTracked.has(action.toLowerCase());
  };
  return { report: report(services, { granularity: actionLevel ? 'ACTION_LEVEL' : 'SERVICE_LEVEL' }), removable };
}

describe('tightenPolicy on generated policies and reports, checked by iam-simulate', () => {
  const rand = prng(4242);
  const cases = Array.from({ length: 150 }, (_, i) => ({ i, policy: randomPolicy(rand), ...randomReport(rand) }));

  it('keeps every decision the evidence cannot vouch for, removes only proven-unused actions, never widens', async () => {
    const problems: string[] = [];
    let removedChecked = 0;
    let keptChecked = 0;
    for (const c of cases) {
      let result;
      try {
        // splitWildcards: the generated truth removes tracked actions under wildcards too (the lossy opt-in; the
        // default keeps such wildcards and is covered by tighten-property.test.ts).
        result = tightenPolicy(c.policy as never, c.report, { catalog, now: NOW, splitWildcards: true });
      } catch (e) {
        throw new Error(`case ${c.i}: ${(e as Error).message}\n${JSON.stringify(c.policy)}\n${JSON.stringify(c.report.servicesLastAccessed)}`);
      }
      if (!result.proof.holds) problems.push(`case ${c.i}: proof failed ${result.proof.failures.join('; ')}`);
      const untouchable = c.policy.Statement.some((s) => s.Effect === 'Allow' && ('NotAction' in s || 'NotResource' in s));
      for (const [action, resource] of REQUESTS) {
        const before = await simulate([c.policy], action, resource);
        const after = await simulate([result.policy], action, resource);
        if (after === 'Allowed' && before !== 'Allowed') problems.push(`case ${c.i}: ${action} on ${resource} widened (${before} -> ${after})`);
        if (!c.removable(action)) {
          keptChecked++;
          if (after !== before) problems.push(`case ${c.i}: ${action} on ${resource} is not proven unused but changed ${before} -> ${after}`);
        } else if (before === 'Allowed' && !untouchable) {
          removedChecked++;
          if (after === 'Allowed') problems.push(`case ${c.i}: ${action} on ${resource} is proven unused but still allowed`);
          if (!result.removedActions.includes(action)) problems.push(`case ${c.i}: ${action} not reported in removedActions`);
        }
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
    // The generator must exercise both sides.
    expect(removedChecked).toBeGreaterThan(30);
    expect(keptChecked).toBeGreaterThan(200);
  });
});
