import { loadActionCatalog } from '../../src/model/action-catalog';
import { outputOf, type SynthResult } from '../../scripts/example-harness';
import { tierRan } from '../tiers';
import { ExampleWorld } from './support';
import { describeTerraform, synthesizedOutputs, terraformPlan, type TerraformPlan } from './terraform';

// Hand-derived from examples/world.json. SCPs: FullAWSAccess on the root, the Sandbox OU and every account;
// DenyLeaveOrg (one action) on the root; WorkloadGuardrails (15 services) on the Workloads OU, which has no
// FullAWSAccess of its own. Activity (all within 400 days except ops-admin's route53 call 420 days ago):
//   234567890123 (production): prod-app dynamodb, sqs, logs; auditor cloudtrail, config
//   345678901234 (staging):    ci-runner cloudformation, s3, ec2
//   456789012345 (sandbox):    sandbox-dev ec2, iam (a denied attempt counts), sagemaker
//   123456789012 (management): admin cloudtrail, iam, organizations, sts; ops-admin cloudwatch, ec2, iam, kms, rds,
//                              s3; app-deployer ec2, iam, lambda, logs, s3; young-analytics athena, glue;
//                              alice cloudwatch, s3; bob dynamodb, s3; carol lambda, logs; orders-service dynamodb, sqs
const GUARDRAILS = ['cloudformation', 'cloudtrail', 'cloudwatch', 'config', 'dynamodb', 'ec2', 'iam', 'kms', 'lambda', 'logs', 's3', 'sagemaker', 'sns', 'sqs', 'sts'];
const WORKLOADS_ACCESSED = ['cloudformation', 'cloudtrail', 'config', 'dynamodb', 'ec2', 'iam', 'logs', 's3', 'sagemaker', 'sqs'];
const PRODUCTION_ACCESSED = ['cloudtrail', 'config', 'dynamodb', 'logs', 'sqs'];
const MANAGEMENT_ACCESSED = ['athena', 'cloudtrail', 'cloudwatch', 'dynamodb', 'ec2', 'glue', 'iam', 'kms', 'lambda', 'logs', 'organizations', 'rds', 's3', 'sqs', 'sts'];

const world = new ExampleWorld();
let result: SynthResult;
// Under FullAWSAccess (root, management account) every service of the IAM action catalog is accessible.
const catalogServices = loadActionCatalog().services().length;

beforeAll(async () => {
  await world.start();
  result = await world.synth('organizations-scp-review'); // the real `cdktf synth`
}, 600_000);
afterAll(async () => {
  await world.stop();
  tierRan('cdktf-cli', 'cdktf synth of examples/organizations-scp-review');
});

describe('examples/organizations-scp-review', () => {
  it('reports the root: every service accessible, the member accounts\' activity (not the management account\'s)', () => {
    expect(outputOf(result, 'root_services_accessible')).toBe(catalogServices);
    expect(outputOf(result, 'root_services_accessed')).toEqual(WORKLOADS_ACCESSED);
    expect(outputOf(result, 'root_services_not_accessed_count')).toBe(catalogServices - WORKLOADS_ACCESSED.length);
  });

  it('reports the Workloads OU: the 15 guardrail services, 10 used in its subtree', () => {
    expect(outputOf(result, 'workloads_ou_services_accessible')).toBe(GUARDRAILS.length);
    expect(outputOf(result, 'workloads_ou_services_accessed')).toEqual(WORKLOADS_ACCESSED);
    expect(outputOf(result, 'workloads_ou_services_not_accessed')).toEqual(['cloudwatch', 'kms', 'lambda', 'sns', 'sts']);
    expect(outputOf(result, 'workloads_ou_services_not_accessed_count')).toBe(5);
  });

  it('reports the production member account: its own activity under the inherited guardrails', () => {
    expect(outputOf(result, 'production_account_services_accessible')).toBe(GUARDRAILS.length);
    expect(outputOf(result, 'production_account_services_accessed')).toEqual(PRODUCTION_ACCESSED);
    expect(outputOf(result, 'production_account_services_not_accessed')).toEqual(GUARDRAILS.filter((s) => !PRODUCTION_ACCESSED.includes(s)));
  });

  it('reports the management account: every service, only its own activity, route53 outside the tracking window', () => {
    expect(outputOf(result, 'management_account_services_accessible')).toBe(catalogServices);
    expect(outputOf(result, 'management_account_services_accessed')).toEqual(MANAGEMENT_ACCESSED);
    expect(outputOf<string[]>(result, 'management_account_services_accessed')).not.toContain('route53');
  });

  it('proposes an unattached deny-list SCP (ServiceControlPolicyProposal) of the services unused under the OU in 90 days', () => {
    const policies = result.stack.resource.aws_organizations_policy as Record<string, { type: string; content: string; name: string }>;
    expect(Object.keys(policies)).toEqual(['workloads_scp_proposal']);
    const proposal = policies.workloads_scp_proposal!;
    expect(proposal.type).toBe('SERVICE_CONTROL_POLICY');
    expect(proposal.name).toBe('workloads-deny-unused-services');
    // Literal, minified JSON: cloudtrail (last used 134 days ago) is protected, kms excepted, sts protected and unused.
    expect(proposal.content).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"DenyServicesUnusedFor90Days","Effect":"Deny","Action":["cloudwatch:*","lambda:*","sns:*"],"Resource":"*"}]}',
    );
    expect(outputOf(result, 'workloads_scp_proposal_denied_services')).toEqual(['cloudwatch', 'lambda', 'sns']);
    const kept = outputOf<string[]>(result, 'workloads_scp_proposal_kept_services');
    expect(kept.map((k) => k.split(':')[0])).toEqual(GUARDRAILS.filter((s) => !['cloudwatch', 'lambda', 'sns'].includes(s)));
    expect(kept).toContain('kms: kms is allowed by exception kms: the yearly backup-restore drill decrypts with these keys every October');
    expect(kept.find((k) => k.startsWith('cloudtrail:'))).toMatch(/^cloudtrail: cloudtrail is protected: /);
    expect(kept.find((k) => k.startsWith('sts:'))).toMatch(/^sts: sts is protected: role assumption/);
    expect(kept.find((k) => k.startsWith('iam:'))).toMatch(/last used .* within the 90-day window/); // sandbox-dev, 74 days ago
    expect(outputOf<string[]>(result, 'workloads_scp_proposal_notes')).toContain(
      `${catalogServices - GUARDRAILS.length} service(s) are not allowed by the SCPs that apply to o-4fxmplt198/r-c3xb/ou-c3xb-lmu7j2yg (already denied): not re-denied`,
    );
    // a proposal: nothing attaches it
    expect(result.stack.resource.aws_organizations_policy_attachment).toBeUndefined();
  });

  it('synthesizes without any warning or error', () => {
    expect(result.annotations.filter((a) => a.level !== 'info')).toEqual([]);
  });
});

describeTerraform('organizations-scp-review', () => {
  let plan: TerraformPlan;
  beforeAll(async () => {
    plan = await terraformPlan(world, result);
  }, 600_000);

  it('validates, and plans the reports\' values and the SCP proposal as the literals the synth decided', () => {
    expect(plan.validate).toMatch(/configuration is valid/);
    expect(plan.outputs).toEqual(synthesizedOutputs(result));
    expect(plan.outputs.workloads_scp_proposal_denied_services).toEqual(['cloudwatch', 'lambda', 'sns']);
    const proposal = plan.after['aws_organizations_policy.workloads_scp_proposal']!;
    expect(proposal.type).toBe('SERVICE_CONTROL_POLICY');
    const synthesized = (result.stack.resource.aws_organizations_policy as Record<string, { content: string }>).workloads_scp_proposal!;
    expect(JSON.parse(proposal.content as string)).toEqual(JSON.parse(synthesized.content));
    expect(Object.keys(plan.after).filter((address) => address.startsWith('aws_organizations_policy_attachment'))).toEqual([]);
  });
});
