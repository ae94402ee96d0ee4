import { evaluateIdentityPolicies } from '../../src/analysis';
import { pick, prng, randomPolicy, REQUESTS } from './generators';
import { simulate } from './oracle';

describe('evaluateIdentityPolicies agrees with @cloud-copilot/iam-simulate', () => {
  const rand = prng(20260601);
  const cases = Array.from({ length: 300 }, (_, i) => ({ i, policies: pick(rand, [0], 1, 2).map(() => randomPolicy(rand)) }));

  it('on 300 generated policy sets x every request', async () => {
    const disagreements: string[] = [];
    const decisions = new Map<string, number>();
    for (const { i, policies } of cases) {
      for (const [action, resource] of REQUESTS) {
        const ours = evaluateIdentityPolicies(policies as never, action, resource);
        const theirs = await simulate(policies, action, resource);
        decisions.set(ours, (decisions.get(ours) ?? 0) + 1);
        if (ours !== theirs) disagreements.push(`case ${i} ${action} ${resource}: ours ${ours}, iam-simulate ${theirs}\n${JSON.stringify(policies)}`);
      }
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    // The generator must exercise every outcome, or the comparison proves little.
    expect(decisions.get('Allowed')).toBeGreaterThan(300);
    expect(decisions.get('ExplicitlyDenied')).toBeGreaterThan(300);
    expect(decisions.get('ImplicitlyDenied')).toBeGreaterThan(300);
  });
});
