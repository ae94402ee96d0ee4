import { validatePoliciesRequest } from '../../iam/validate';
import { isKnown, stringAt, stringListAt } from '../config-values';
import type { DataSource } from '../data-source';
import { ConfigProblem } from '../diagnostics';
import { listOf, objectOf } from '../schema';
import { asConfigProblem } from './report-inputs';

const POLICY = objectOf({ policy_name: 'string', policy_type: 'string', policy_arn: 'string', entity_type: 'string', entity_name: 'string' });
const SERVICE = objectOf({ service_namespace: 'string', policies: listOf(POLICY) });

function readRequest(config: Record<string, unknown>): { arn: string; serviceNamespaces: string[] } | 'unknown' {
  const arn = stringAt(config, ['arn']);
  const namespaces = stringListAt(config, ['service_namespaces']);
  if (!isKnown(arn) || !isKnown(namespaces)) return 'unknown';
  try {
    const valid = validatePoliciesRequest({ arn: arn as string, serviceNamespaces: namespaces ?? [] });
    return { arn: valid.arn, serviceNamespaces: [...valid.serviceNamespaces] };
  } catch (error) {
    throw asConfigProblem(error, { serviceNamespaces: ['service_namespaces'] });
  }
}

/** `data "accessadvisor_policies_granting_service_access"`: which policies give a principal each service (no job). */
export const policiesGrantingServiceAccess: DataSource = {
  typeName: 'accessadvisor_policies_granting_service_access',
  schema: {
    description: 'Lists, per service namespace, the policies (managed and inline, direct and through groups) that grant a user, group or role access to it.',
    attributes: [
      { name: 'arn', type: 'string', required: true, description: 'ARN of the user, group or role.' },
      { name: 'service_namespaces', type: listOf('string'), required: true, description: '1 to 200 service namespaces (s3, dynamodb, …).' },
      { name: 'services', type: listOf(SERVICE), computed: true, description: 'Per namespace, the policies granting it.' },
    ],
  },
  validate(config) {
    readRequest(config);
  },
  async read(config, context) {
    const request = readRequest(config);
    if (request === 'unknown') throw new ConfigProblem([], 'Configuration not known', 'the inputs are not known yet');
    // On the provider's one engine: these calls queue behind the same rate limit as every report of the plan.
    const result = await (await context.runner()).listPoliciesGrantingServiceAccess(request);
    return {
      ...config,
      services: result.policiesGrantingServiceAccess.map((s) => ({
        service_namespace: s.serviceNamespace,
        policies: s.policies.map((p) => ({
          policy_name: p.policyName,
          policy_type: p.policyType,
          policy_arn: p.policyArn,
          entity_type: p.entityType,
          entity_name: p.entityName,
        })),
      })),
    };
  },
};
