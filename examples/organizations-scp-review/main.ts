// Review an AWS Organization with IAM access advisor: which services the SCPs let each part of the organization
// use, which ones the accounts there actually used, and a proposed deny-list SCP for the rest.
//
//   cdktf synth    (with management-account credentials; see the README, "IAM permissions")
//
// The proposal is an aws_organizations_policy that is NOT attached: review it, then attach it yourself with an
// aws_organizations_policy_attachment once the owners of the accounts agree.
import { App, Lazy, TerraformOutput, TerraformStack, type IResolveContext } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { OrganizationsPolicy } from '@cdktf/provider-aws/lib/organizations-policy';
import { OrganizationsAccessReport } from 'cdktf-access-advisor';

// The organization of the AWS CLI documentation (examples/world.json mirrors it).
const ORGANIZATION = 'o-4fxmplt198';
const ROOT = `${ORGANIZATION}/r-c3xb`;
const WORKLOADS_OU = `${ROOT}/ou-c3xb-lmu7j2yg`;
const PRODUCTION_ACCOUNT = `${WORKLOADS_OU}/234567890123`;
const MANAGEMENT_ACCOUNT = `${ROOT}/123456789012`;

/** Services never denied by the proposal, whatever the evidence, each with its reason. */
const NEVER_DENY: Record<string, string> = {
  sts: 'role assumption (sts:AssumeRole) is how people and pipelines reach these accounts; denying it locks them out',
};

/** A deny-list SCP: every action of each service, on every resource. */
function denyListScp(services: readonly string[]): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyServicesNotAccessedUnderWorkloads',
          Effect: 'Deny',
          Action: [...services].sort().map((service) => `${service}:*`),
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

class OrganizationsScpReview extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'us-east-1' });

    // Four reports, resolved in one batch during synth (about one job's latency together).
    const entities = {
      root: new OrganizationsAccessReport(this, 'root', { entityPath: ROOT }),
      workloads_ou: new OrganizationsAccessReport(this, 'workloads_ou', { entityPath: WORKLOADS_OU }),
      production_account: new OrganizationsAccessReport(this, 'production_account', { entityPath: PRODUCTION_ACCOUNT }),
      management_account: new OrganizationsAccessReport(this, 'management_account', { entityPath: MANAGEMENT_ACCOUNT }),
    };
    for (const [name, report] of Object.entries(entities)) {
      new TerraformOutput(this, `${name}_services_accessible`, { value: report.numberOfServicesAccessible });
      new TerraformOutput(this, `${name}_services_accessed`, { value: report.accessedServices });
      new TerraformOutput(this, `${name}_services_not_accessed_count`, { value: report.numberOfServicesNotAccessed });
    }
    new TerraformOutput(this, 'workloads_ou_services_not_accessed', { value: entities.workloads_ou.notAccessedServices });
    new TerraformOutput(this, 'production_account_services_not_accessed', { value: entities.production_account.notAccessedServices });

    // The proposal: deny, under the Workloads OU, the services its SCPs allow but no account there used in access
    // advisor's tracking window (at least 400 days) — except the ones that must never be denied.
    const deniedServices = (context: IResolveContext): string[] =>
      (context.resolve(entities.workloads_ou.notAccessedServices) as string[]).filter((service) => !(service in NEVER_DENY));
    new OrganizationsPolicy(this, 'workloads_scp_proposal', {
      name: 'workloads-deny-unused-services',
      description: 'Proposal from IAM access advisor: services no Workloads account used in 400 days. Review before attaching.',
      type: 'SERVICE_CONTROL_POLICY',
      content: Lazy.stringValue({ produce: (context) => denyListScp(deniedServices(context)) }),
    });
    new TerraformOutput(this, 'workloads_scp_proposal_denied_services', {
      value: Lazy.listValue({ produce: (context) => deniedServices(context) }),
    });
    new TerraformOutput(this, 'workloads_scp_proposal_never_denied', { value: NEVER_DENY });
  }
}

const app = new App();
new OrganizationsScpReview(app, 'organizations-scp-review');
app.synth();
