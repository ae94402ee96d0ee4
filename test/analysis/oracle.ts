// The independent oracle: @cloud-copilot/iam-simulate (AGPL; a devDependency used by tests only, never by src).
import { runSimulation } from '@cloud-copilot/iam-simulate';

export const ACCOUNT = '123456789012';

export async function simulate(policies: readonly object[], action: string, resource: string, context: Record<string, string> = {}): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/app`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: policies.map((policy, i) => ({ name: `policy${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    } as never,
    {},
  );
  const r = result as { resultType: string; overallResult?: string; errors?: unknown };
  if (r.resultType === 'error' || !r.overallResult) throw new Error(`iam-simulate could not evaluate ${action} on ${resource}: ${JSON.stringify(r.errors ?? r)}`);
  return r.overallResult;
}
