import type { ServiceLastAccessedReport } from '../../model/report';
import type { DataSource } from '../data-source';
import { ConfigProblem } from '../diagnostics';
import { listOf, objectOf, type TfType } from '../schema';
import type { PolicyDocument } from '../../analysis/types';
import { analysisProblem, DECISION_INPUTS, readDecisionInputs, readPolicyDocuments } from './decision-inputs';
import { readServiceReportInput, SERVICE_REPORT_INPUTS } from './report-inputs';
import { verdictOf } from './verdict';

const FINDING: TfType = objectOf({ kind: 'string', permission: 'string', last_used: 'string', reason: 'string' });
const VIOLATION: TfType = objectOf({ permission: 'string', last_used: 'string', reason: 'string' });
const strings: TfType = listOf('string');

/**
 * `data "accessadvisor_unused_permissions"`: the least-privilege verdict for one principal, for a postcondition:
 * `condition = self.passed`, `error_message = self.table`.
 */
export const unusedPermissions: DataSource = {
  typeName: 'accessadvisor_unused_permissions',
  schema: {
    description:
      'Runs the access advisor report for a principal and decides which granted services and actions were not used recently. ' +
      'Evidence that cannot support a removal (a young principal, a stale report, untracked actions, iam:PassRole) flags nothing.',
    attributes: [
      ...SERVICE_REPORT_INPUTS,
      ...DECISION_INPUTS,
      {
        name: 'policies',
        type: strings,
        optional: true,
        description:
          'The policy documents (JSON) of every policy the principal will hold after apply: what they no longer grant is not a violation. Default: judge every permission the report lists. The provider cannot see the rest of the configuration and takes this list as the whole set: for a role or group the configuration does not manage, pin that set with aws_iam_role_policy_attachments_exclusive and aws_iam_role_policies_exclusive (or the group variants), or policies attached today stay and are not judged.',
      },
      { name: 'job_id', type: 'string', computed: true, description: 'The report job behind the verdict.' },
      { name: 'status', type: 'string', computed: true, description: 'sufficient, insufficient-history, unknown-history or stale-evidence.' },
      { name: 'status_reason', type: 'string', computed: true, description: 'Why the evidence is (in)sufficient.' },
      { name: 'evaluated_at', type: 'string', computed: true, description: 'The reference time of the decision (RFC 3339).' },
      { name: 'used_services', type: strings, computed: true, description: 'Services used within the window.' },
      { name: 'unused_services', type: strings, computed: true, description: 'Granted services not used within the window.' },
      { name: 'used_actions', type: strings, computed: true, description: 'Tracked actions used within the window (ACTION_LEVEL).' },
      { name: 'unused_actions', type: strings, computed: true, description: 'Tracked actions of used services not used within the window (ACTION_LEVEL).' },
      { name: 'findings', type: listOf(FINDING), computed: true, description: 'Every decision with its kind and reason.' },
      { name: 'violations', type: listOf(VIOLATION), computed: true, description: 'The unused permissions that fail the gate (empty unless the evidence is sufficient).' },
      { name: 'violation_count', type: 'number', computed: true, description: 'Number of violations.' },
      { name: 'passed', type: 'bool', computed: true, description: 'True when there is no violation.' },
      { name: 'summary', type: 'string', computed: true, description: 'One line: what fails, or why nothing does.' },
      { name: 'table', type: 'string', computed: true, description: 'The violations as a readable table (for error_message).' },
    ],
  },
  validate(config) {
    const request = readServiceReportInput(config);
    readDecisionInputs(config);
    const policies = readPolicyDocuments(config, 'policies');
    if (request !== 'unknown' && policies !== 'unknown') refuseUnholdable(policies, request.arn);
  },
  async read(config, context) {
    const request = readServiceReportInput(config);
    const inputs = readDecisionInputs(config);
    const policies = readPolicyDocuments(config, 'policies');
    if (request === 'unknown' || inputs === 'unknown' || policies === 'unknown') {
      throw new ConfigProblem([], 'Configuration not known', 'the inputs are not known yet');
    }
    refuseUnholdable(policies, request.arn);
    const report = (await (await context.runner()).run(request)) as ServiceLastAccessedReport;
    let verdict;
    try {
      verdict = verdictOf(report, inputs, policies, context.now());
    } catch (error) {
      throw analysisProblem(error);
    }
    const { unused, violations, passed } = verdict;
    const { formatViolationsTable, violationSummary } = require('../../analysis') as typeof import('../../analysis');
    return {
      ...config,
      granularity: report.granularity,
      with_entities: report.withEntities,
      job_id: report.jobId,
      status: unused.status,
      status_reason: unused.statusReason,
      evaluated_at: unused.evaluatedAt,
      used_services: unused.usedServices,
      unused_services: unused.unusedServices,
      used_actions: unused.usedActions,
      unused_actions: unused.unusedActions,
      findings: unused.findings.map((f) => ({ kind: f.kind, permission: f.permission, last_used: f.lastUsed, reason: f.reason })),
      violations: violations.map((f) => ({ permission: f.permission, last_used: f.lastUsed, reason: f.reason })),
      violation_count: violations.length,
      passed,
      summary: passed
        ? unused.status === 'sufficient'
          ? `${report.arn}: every granted permission with evidence was used within ${unused.unusedAfterDays} days`
          : `${report.arn}: evidence ${unused.status}, nothing flagged: ${unused.statusReason}`
        : `${report.arn}: ${violationSummary(unused)} not used within ${unused.unusedAfterDays} days`,
      table: passed ? '' : formatViolationsTable(unused),
    };
  },
};

/**
 * A document the principal can never hold (larger than IAM allows it in any form) is not a grant it will have: judged
 * as given, what it "no longer grants" would pass while the apply that attaches it fails and today's grants stay. The
 * CLI's gate and the constructs refuse such documents too. (Which documents are inline, and so the counts and quotas
 * of each form, the provider cannot tell.)
 */
function refuseUnholdable(policies: readonly PolicyDocument[] | undefined, arn: string): void {
  if (!policies) return;
  const { heldPolicyMaxCharacters, policyCharacters } = require('../../analysis/policy-size') as typeof import('../../analysis/policy-size');
  const limit = heldPolicyMaxCharacters(arn);
  policies.forEach((document, index) => {
    const characters = policyCharacters(document);
    if (characters > limit) {
      throw new ConfigProblem(
        ['policies', index],
        'Policy document too large for IAM',
        `policies[${index}] has ${characters} characters without white space, over the ${limit} IAM allows any policy ${arn} can hold ` +
          '(a managed policy 6,144; inline policies of a role 10,240 together, of a group 5,120, of a user 2,048): IAM refuses it, so it cannot be judged as a grant',
      );
    }
  });
}
