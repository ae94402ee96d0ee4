import type { Violation } from '../../analysis';
import type { PolicyDocument, UnusedPermissions } from '../../analysis/types';
import type { ServiceLastAccessedReport } from '../../model/report';
import type { DecisionInputs } from './decision-inputs';

export interface Verdict {
  readonly unused: UnusedPermissions;
  readonly violations: readonly Violation[];
  readonly passed: boolean;
}

/**
 * The provider's one call into the least-privilege decision, the path the CLI gate and the plan-time program take:
 * find the unused permissions, restrict them to what the given policies still grant, and count as violations only
 * what sufficient evidence shows unused (missing, young or stale evidence flags nothing).
 */
export function verdictOf(report: ServiceLastAccessedReport, inputs: DecisionInputs, policies: readonly PolicyDocument[] | undefined, now: Date): Verdict {
  const { findUnusedPermissions, restrictToGranted, violationsOf } = require('../../analysis') as typeof import('../../analysis');
  const judged = findUnusedPermissions(report, { ...inputs.options, now });
  const unused = policies ? restrictToGranted(judged, { documents: policies, source: 'the policies of this data source' }) : judged;
  const violations = unused.status === 'sufficient' ? violationsOf(unused) : [];
  return { unused, violations, passed: violations.length === 0 };
}
