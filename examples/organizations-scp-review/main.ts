// Review an AWS Organization with IAM access advisor: which services the SCPs let each part of the organization
// use, which ones the accounts there actually used, and a proposed deny-list SCP for the rest.
//
//   cdktf synth    (with management-account credentials; see the README, "IAM permissions")
//
// The proposal is an aws_organizations_policy that is NOT attached: review it, then attach it yourself with an
// aws_organizations_policy_attachment once the owners of the accounts agree.
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { OrganizationsPolicy } from '@cdktf/provider-aws/lib/organizations-policy';
import { OrganizationsAccessReport, ServiceControlPolicyProposal } from 'cdktf-access-advisor';

// The organization of the AWS CLI documentation (examples/world.json mirrors it).
const ORGANIZATION = 'o-4fxmplt198';
const ROOT = `${ORGANIZATION}/r-c3xb`;
const WORKLOADS_OU = `${ROOT}/ou-c3xb-lmu7j2yg`;
const PRODUCTION_ACCOUNT = `${WORKLOADS_OU}/234567890123`;
const MANAGEMENT_ACCOUNT = `${ROOT}/123456789012`;

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

    // The proposal: deny, under the Workloads OU, the services its SCPs allow but no account there used in the last
    // 90 days — never the protected services an organization needs to manage itself (sts, iam, organizations,
    // support, signin, …; docs/decisions.md says why), nor anything excepted. Documents are minified JSON of at most
    // 5,120 characters each, as many as needed (at most the 4 slots FullAWSAccess leaves), with a proof.
    const proposal = new ServiceControlPolicyProposal(this, 'workloads_proposal', {
      report: entities.workloads_ou,
      unusedAfterDays: 90,
      allow: [{ permission: 'kms', reason: 'the yearly backup-restore drill decrypts with these keys every October' }],
    });
    // Reading the result resolves the four reports above in one batch; one policy per document, none attached.
    const documents = proposal.result?.documents ?? [];
    documents.forEach((document, i) => {
      const part = documents.length > 1 ? `_part_${i + 1}` : '';
      new OrganizationsPolicy(this, `workloads_scp_proposal${part}`, {
        name: `workloads-deny-unused-services${part.replace(/_/g, '-')}`,
        description: `Proposal from IAM access advisor: services no Workloads account used in ${proposal.result!.unusedAfterDays} days. Review before attaching.`,
        type: 'SERVICE_CONTROL_POLICY',
        content: proposal.documentJson(i),
      });
    });
    new TerraformOutput(this, 'workloads_scp_proposal_denied_services', { value: proposal.deniedServices });
    new TerraformOutput(this, 'workloads_scp_proposal_kept_services', { value: proposal.keptServices });
    new TerraformOutput(this, 'workloads_scp_proposal_notes', { value: proposal.notes });
  }
}

const app = new App();
new OrganizationsScpReview(app, 'organizations-scp-review');
app.synth();
