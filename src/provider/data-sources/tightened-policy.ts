import type { ServiceLastAccessedReport } from '../../model/report';
import type { DataSource } from '../data-source';
import { ConfigProblem } from '../diagnostics';
import { isKnown, stringAt, boolAt, type Maybe } from '../config-values';
import { listOf, objectOf, type TfType } from '../schema';
import { analysisProblem, DECISION_INPUTS, parsePolicyAt, readDecisionInputs } from './decision-inputs';
import { readServiceReportInput, SERVICE_REPORT_INPUTS } from './report-inputs';

const KEPT: TfType = objectOf({ kind: 'string', permission: 'string', reason: 'string' });
const PROOF: TfType = objectOf({
  holds: 'bool',
  catalog_version: 'string',
  used_actions_checked: 'number',
  removed_actions_checked: 'number',
  failures: listOf('string'),
});
const KEPT_KINDS = new Set(['used-service', 'used-action', 'unknown-action', 'never-reported', 'allowed-by-exception']);

/**
 * `data "accessadvisor_tightened_policy"`: the policy without what the evidence proves unused, exact (nothing used,
 * untracked or unknown is lost, nothing widens) and proven; a tightening whose proof fails is an error, not values.
 */
export const tightenedPolicy: DataSource = {
  typeName: 'accessadvisor_tightened_policy',
  schema: {
    description:
      'Tightens an identity policy against the principal’s access advisor report: removes only what sufficient evidence shows unused, ' +
      'then proves every used action still allowed and every removed action denied.',
    attributes: [
      ...SERVICE_REPORT_INPUTS,
      { name: 'policy', type: 'string', required: true, description: 'The policy document (JSON) to tighten, e.g. data.aws_iam_policy_document.x.json.' },
      ...DECISION_INPUTS,
      {
        name: 'split_wildcards',
        type: 'bool',
        optional: true,
        description: 'Split s3:* and the like into the catalog’s actions when some are proven unused (lossy for actions newer than the catalog; default false).',
      },
      {
        name: 'attach_as',
        type: 'string',
        optional: true,
        description:
          'How json will be attached: "managed" (default; at most 6,144 characters) or "inline" (an inline policy of the principal: IAM limits its inline policies together to 10,240 characters for a role, 5,120 for a group, 2,048 for a user).',
      },
      { name: 'job_id', type: 'string', computed: true, description: 'The report job behind the tightening.' },
      { name: 'json', type: 'string', computed: true, description: 'The tightened policy document, as JSON.' },
      { name: 'removed_actions', type: listOf('string'), computed: true, description: 'Concrete actions the original allowed and the tightened policy does not.' },
      { name: 'removed_services', type: listOf('string'), computed: true, description: 'Services removed entirely.' },
      {
        name: 'unreported_services',
        type: listOf('string'),
        computed: true,
        description:
          'Services the policy allows by name that the report does not list: the principal holds no policy allowing them today, so they are kept without evidence. ' +
          'Not empty when the policy is not what the principal holds, e.g. the original tightened again after an apply removed them, which would grant them back.',
      },
      { name: 'kept', type: listOf(KEPT), computed: true, description: 'What stays, and why (used, untracked, never reported, excepted).' },
      { name: 'notes', type: listOf('string'), computed: true, description: 'What could not be tightened and why.' },
      { name: 'status', type: 'string', computed: true, description: 'The evidence status (nothing is removed unless sufficient).' },
      { name: 'proof', type: PROOF, computed: true, description: 'The check of the tightened policy against the original and the report.' },
    ],
  },
  validate(config) {
    readServiceReportInput(config);
    readDecisionInputs(config);
    const policy = stringAt(config, ['policy']);
    if (isKnown(policy) && policy !== undefined) parsePolicyAt(policy, ['policy']);
    boolAt(config, ['split_wildcards']);
    attachAsAt(config);
  },
  async read(config, context) {
    const request = readServiceReportInput(config);
    const inputs = readDecisionInputs(config);
    const policyText = stringAt(config, ['policy']);
    const split = boolAt(config, ['split_wildcards']);
    const attachAs = attachAsAt(config);
    if (request === 'unknown' || inputs === 'unknown' || !isKnown(policyText) || !isKnown(split) || !isKnown(attachAs)) {
      throw new ConfigProblem([], 'Configuration not known', 'the inputs are not known yet');
    }
    if (policyText === undefined) throw new ConfigProblem(['policy'], 'Missing policy', 'a policy document is required');
    const policy = parsePolicyAt(policyText, ['policy']);
    const report = (await (await context.runner()).run(request)) as ServiceLastAccessedReport;
    const { attachedPolicySizeProblems, PolicySizeError, tightenPolicy } = require('../../analysis') as typeof import('../../analysis');
    let tightened;
    try {
      tightened = tightenPolicy(policy, report, {
        ...inputs.options,
        now: context.now(),
        sourceName: 'policy',
        ...(split ? { splitWildcards: true } : {}),
        ...(attachAs ? { attachAs } : {}),
      });
    } catch (error) {
      if (error instanceof PolicySizeError) throw new ConfigProblem(['json'], 'Tightened policy too large for IAM', `${error.message}; it is not returned.`);
      throw analysisProblem(error);
    }
    if (!tightened.proof.holds) {
      throw new Error(`the tightened policy failed its proof, so it is not returned: ${tightened.proof.failures.join('; ')}`);
    }
    // A document IAM would refuse is not a value to plan with: the apply that attaches it would fail instead. An
    // inline one was held to its principal's quota by the tightening itself.
    const [tooLarge] = attachAs === 'inline' ? [] : attachedPolicySizeProblems([{ name: 'the tightened policy (json)', document: JSON.parse(tightened.json) as object }]);
    if (tooLarge) {
      throw new ConfigProblem(
        ['json'],
        'Tightened policy too large for IAM',
        `${tooLarge}; it is not returned. Split the policy, or set split_wildcards = false if it is true.`,
      );
    }
    return {
      ...config,
      granularity: report.granularity,
      with_entities: report.withEntities,
      job_id: report.jobId,
      json: tightened.json,
      removed_actions: tightened.removedActions,
      removed_services: tightened.removedServices,
      unreported_services: tightened.unreportedServices,
      kept: tightened.findings.findings
        .filter((f) => KEPT_KINDS.has(f.kind))
        .map((f) => ({ kind: f.kind, permission: f.permission, reason: f.reason })),
      notes: tightened.notes,
      status: tightened.findings.status,
      proof: {
        holds: tightened.proof.holds,
        catalog_version: tightened.proof.catalogVersion,
        used_actions_checked: tightened.proof.usedActionsChecked,
        removed_actions_checked: tightened.proof.removedActionsChecked,
        failures: tightened.proof.failures,
      },
    };
  },
};

/** `attach_as`: "managed", "inline", undefined (not set) or unknown. */
function attachAsAt(config: Record<string, unknown>): Maybe<'managed' | 'inline'> {
  const value = stringAt(config, ['attach_as']);
  if (!isKnown(value) || value === undefined || value === 'managed' || value === 'inline') return value as Maybe<'managed' | 'inline'>;
  throw new ConfigProblem(['attach_as'], 'Invalid attach_as', `attach_as ${JSON.stringify(value)} is not allowed; expected "managed" or "inline"`);
}
