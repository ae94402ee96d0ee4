import type { PolicyDocument } from '../../analysis/types';
import type { PrincipalVerdict } from '../../analysis/gate';
import type { ServiceLastAccessedReport } from '../../model/report';
import type { DecisionInputs } from './decision-inputs';

/**
 * The provider's one call into the least-privilege decision: the analysis gate's `judgeReport`, the function the CLI
 * gate, the constructs and the plan-time program reach their verdict through. With `policies`, what they no longer
 * grant is not a violation; missing, young or stale evidence flags nothing.
 */
export function verdictOf(report: ServiceLastAccessedReport, inputs: DecisionInputs, policies: readonly PolicyDocument[] | undefined, now: Date): PrincipalVerdict {
  // Loaded on the first read: Terraform waits for the provider's start on every run.
  const { judgeReport } = require('../../analysis/gate') as typeof import('../../analysis/gate');
  return judgeReport(report, { ...inputs.options, now }, policies ? { documents: policies, source: 'the policies of this data source' } : undefined);
}
