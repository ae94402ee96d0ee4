import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';
import { AccessAdvisorProvider } from '../../src/constructs/access-advisor-provider';
import { Testing, TerraformOutput, TerraformStack, TerraformVariable } from '../default-core';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import {
  DataAccessAdvisorOrganizationsAccessReport,
  DataAccessAdvisorPoliciesGrantingServiceAccess,
  DataAccessAdvisorServiceLastAccessed,
  DataAccessAdvisorTightenedPolicy,
  DataAccessAdvisorUnusedPermissions,
} from '../../src/constructs/native-data-sources';
import { OrganizationsAccessReport } from '../../src/constructs/organizations-access-report';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';

const SOURCE = 'local.invalid/cdktf-access-advisor/accessadvisor';
const ROLE = 'arn:aws:iam::123456789012:role/app';
const ALLOW_EC2 = [{ permission: 'ec2', reason: 'AMI lookups' }];
const S3_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON, indexed by the test's own keys
type Json = Record<string, any>;

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'stack');
}

function synth(s: TerraformStack): Json {
  return JSON.parse(Testing.synth(s)) as Json;
}

describe('AccessAdvisorProvider', () => {
  it('renders the provider block in Terraform names and the required_providers source', () => {
    const s = stack();
    new AccessAdvisorProvider(s, 'aa', {
      region: 'eu-west-1',
      profile: 'audit',
      endpoint: 'http://127.0.0.1:4566',
      maxRequestRate: 20,
      assumeRole: { roleArn: 'arn:aws:iam::123456789012:role/auditor', externalId: 'ext-1', sessionName: 'review' },
      timeouts: { read: '5m' },
    });
    new DataAccessAdvisorServiceLastAccessed(s, 'app', { arn: ROLE });
    const json = synth(s);
    expect(json.terraform.required_providers.accessadvisor).toEqual({ source: SOURCE });
    expect(json.provider.accessadvisor).toEqual([
      {
        region: 'eu-west-1',
        profile: 'audit',
        endpoint: 'http://127.0.0.1:4566',
        max_request_rate: 20,
        assume_role: [{ role_arn: 'arn:aws:iam::123456789012:role/auditor', external_id: 'ext-1', session_name: 'review' }],
        timeouts: [{ read: '5m' }],
      },
    ]);
  });

  it('a stack that uses a data source without declaring the provider gets an empty default provider block', () => {
    const s = stack();
    new DataAccessAdvisorServiceLastAccessed(s, 'app', { arn: ROLE });
    const json = synth(s);
    expect(json.provider.accessadvisor).toEqual([{}]);
    expect(json.terraform.required_providers.accessadvisor).toEqual({ source: SOURCE });
  });

  it('an aliased provider is chosen by `provider`; the implicit default stays beside it only for data sources without one', () => {
    const s = stack();
    const audit = new AccessAdvisorProvider(s, 'audit', { alias: 'audit', profile: 'audit' });
    new DataAccessAdvisorServiceLastAccessed(s, 'app', { arn: ROLE, provider: audit });
    let json = synth(s);
    expect(json.provider.accessadvisor).toEqual([{ alias: 'audit', profile: 'audit' }]);
    expect(json.data.accessadvisor_service_last_accessed.app.provider).toBe('accessadvisor.audit');
    new DataAccessAdvisorServiceLastAccessed(s, 'other', { arn: ROLE });
    new AccessAdvisorProvider(s, 'default', { region: 'us-east-1' });
    json = synth(s);
    // The stack's own default provider replaces the implicit one: never two default blocks.
    expect(json.provider.accessadvisor).toEqual([{ alias: 'audit', profile: 'audit' }, { region: 'us-east-1' }]);
  });

  it('refuses bad literal settings, naming the field and what is allowed', () => {
    expect(() => new AccessAdvisorProvider(stack(), 'p', { region: 'Mars' })).toThrow(/^region: "Mars" is not allowed; expected an AWS region name/);
    expect(() => new AccessAdvisorProvider(stack(), 'p', { endpoint: 'ftp://x' })).toThrow(/^endpoint: "ftp:\/\/x" is not allowed; expected an http/);
    expect(() => new AccessAdvisorProvider(stack(), 'p', { maxRequestRate: 0 })).toThrow(/^maxRequestRate: 0 is not allowed/);
    expect(() => new AccessAdvisorProvider(stack(), 'p', { timeouts: { read: '2d' } })).toThrow(/^timeouts.read: "2d" is not allowed; expected a duration between 1s and 24h/);
    expect(() => new AccessAdvisorProvider(stack(), 'p', { assumeRole: { roleArn: 'arn:aws:iam::1:user/x' } })).toThrow(/^assumeRole.roleArn: /);
    expect(() => new AccessAdvisorProvider(stack(), 'p', { alias: 'a b' })).toThrow(/^alias: "a b" is not allowed/);
    // A token is Terraform's to check at plan.
    const s = stack();
    expect(() => new AccessAdvisorProvider(s, 'p', { region: new TerraformVariable(s, 'region', { type: 'string' }).stringValue })).not.toThrow();
  });
});

describe('the data source constructs', () => {
  it('render their type, their inputs in Terraform names and typed attribute references', () => {
    const s = stack();
    const role = new DataAwsIamRole(s, 'role', { name: 'app' });
    const report = new DataAccessAdvisorServiceLastAccessed(s, 'report', { arn: role.arn, granularity: 'ACTION_LEVEL', withEntities: true });
    const gate = new DataAccessAdvisorUnusedPermissions(s, 'gate', { arn: role.arn, unusedAfterDays: 30, maxReportAgeDays: 2, judgeUnknownHistory: true, exceptions: ALLOW_EC2, policies: [JSON.stringify(S3_ONLY)] });
    const tightened = new DataAccessAdvisorTightenedPolicy(s, 'tightened', { arn: role.arn, policy: JSON.stringify(S3_ONLY), splitWildcards: true });
    const org = new DataAccessAdvisorOrganizationsAccessReport(s, 'org', { entityPath: 'o-abcdefghij/r-ab12', sortKey: 'SERVICE_NAMESPACE_ASCENDING' });
    const granting = new DataAccessAdvisorPoliciesGrantingServiceAccess(s, 'granting', { arn: role.arn, serviceNamespaces: ['s3', 'logs'], dependsOn: [report] });
    gate.addPostcondition('${self.passed}', '${self.table}');
    const outputs: Record<string, unknown> = {
      services: report.services,
      namespaces: report.serviceNamespaces,
      never_used: report.neverUsedServices,
      job: report.jobId,
      unused: gate.unusedServices,
      count: gate.violationCount,
      passed: gate.passed,
      table: gate.table,
      policy: tightened.json,
      removed: tightened.removedServices,
      proof: tightened.proof,
      accessed: org.accessedServices,
      not_accessed: org.notAccessedServices,
      accessible: org.numberOfServicesAccessible,
      granting: granting.services,
    };
    for (const [name, value] of Object.entries(outputs)) new TerraformOutput(s, `out_${name}`, { value });
    const json = synth(s);
    expect(json.data.accessadvisor_service_last_accessed.report).toEqual({ arn: '${data.aws_iam_role.role.arn}', granularity: 'ACTION_LEVEL', with_entities: true });
    expect(json.data.accessadvisor_unused_permissions.gate).toEqual({
      arn: '${data.aws_iam_role.role.arn}',
      unused_after_days: 30,
      max_report_age_days: 2,
      judge_unknown_history: true,
      exceptions: ALLOW_EC2,
      policies: [JSON.stringify(S3_ONLY)],
      lifecycle: { postcondition: [{ condition: '${self.passed}', error_message: '${self.table}' }] },
    });
    expect(json.data.accessadvisor_tightened_policy.tightened).toEqual({ arn: '${data.aws_iam_role.role.arn}', policy: JSON.stringify(S3_ONLY), split_wildcards: true });
    expect(json.data.accessadvisor_organizations_access_report.org).toEqual({ entity_path: 'o-abcdefghij/r-ab12', sort_key: 'SERVICE_NAMESPACE_ASCENDING' });
    expect(json.data.accessadvisor_policies_granting_service_access.granting).toEqual({
      arn: '${data.aws_iam_role.role.arn}',
      service_namespaces: ['s3', 'logs'],
      depends_on: ['data.accessadvisor_service_last_accessed.report'],
    });
    const value = (name: string) => json.output[`out_${name}`].value as string;
    expect(value('services')).toBe('${data.accessadvisor_service_last_accessed.report.services}');
    expect(value('namespaces')).toBe('${sort(distinct([ for key, val in toset(data.accessadvisor_service_last_accessed.report.services): val.service_namespace]))}');
    expect(value('never_used')).toBe('${sort(distinct([ for key, val in toset(data.accessadvisor_service_last_accessed.report.services): val.service_namespace if val.last_authenticated == null]))}');
    expect(value('job')).toBe('${data.accessadvisor_service_last_accessed.report.job_id}');
    expect(value('unused')).toBe('${data.accessadvisor_unused_permissions.gate.unused_services}');
    expect(value('count')).toBe('${data.accessadvisor_unused_permissions.gate.violation_count}');
    expect(value('passed')).toBe('${data.accessadvisor_unused_permissions.gate.passed}');
    expect(value('policy')).toBe('${data.accessadvisor_tightened_policy.tightened.json}');
    expect(value('proof')).toBe('${data.accessadvisor_tightened_policy.tightened.proof}');
    expect(value('accessed')).toBe('${sort(distinct([ for key, val in toset(data.accessadvisor_organizations_access_report.org.access_details): val.service_namespace if val.last_authenticated_time != null]))}');
    // A namespace used in one region is accessed, even where another region's row has no time.
    expect(value('not_accessed')).toMatch(/^\$\{sort\(tolist\(setsubtract\(/);
    expect(value('accessible')).toBe('${data.accessadvisor_organizations_access_report.org.number_of_services_accessible}');
    expect(JSON.stringify(json)).not.toContain('[object Object]');
  });

  it('refuse bad literal inputs, naming the field', () => {
    const s = stack();
    expect(() => new DataAccessAdvisorServiceLastAccessed(s, 'a', { arn: ' ' })).toThrow(/^arn: /);
    expect(() => new DataAccessAdvisorServiceLastAccessed(s, 'b', { arn: ROLE, granularity: 'FINE' as never })).toThrow(/^granularity: "FINE" is not allowed; expected one of SERVICE_LEVEL, ACTION_LEVEL/);
    expect(() => new DataAccessAdvisorUnusedPermissions(s, 'c', { arn: ROLE, unusedAfterDays: -1 })).toThrow(/^unusedAfterDays: -1 is not allowed/);
    expect(() => new DataAccessAdvisorUnusedPermissions(s, 'd', { arn: ROLE, exceptions: [{ permission: 'ec2', reason: '' }] })).toThrow(/^exceptions\[0\]: /);
    expect(() => new DataAccessAdvisorOrganizationsAccessReport(s, 'e', { entityPath: 'o-abcdefghij/r-ab12', sortKey: 'UP' as never })).toThrow(/^sortKey: "UP"/);
    expect(() => new DataAccessAdvisorPoliciesGrantingServiceAccess(s, 'f', { arn: ROLE, serviceNamespaces: [] })).toThrow(/^serviceNamespaces: \[\] is not allowed; expected 1 to 200/);
  });
});

describe("resolveAt: 'plan' on the provider (the default plan-time source)", () => {
  it('a report is a data.accessadvisor_service_last_accessed block; window getters read one accessadvisor_unused_permissions', () => {
    const s = stack();
    const role = new DataAwsIamRole(s, 'role', { name: 'app' });
    const report = new ServiceLastAccessedReport(s, 'usage', { resolveAt: 'plan', arn: role.arn, granularity: 'ACTION_LEVEL' });
    expect(report.planTime!.source).toBe('provider');
    new TerraformOutput(s, 'unused', { value: report.unusedServices({ days: 30 }) });
    new TerraformOutput(s, 'actions', { value: report.unusedActions({ days: 30 }) });
    new TerraformOutput(s, 'job', { value: report.jobId });
    new TerraformOutput(s, 'json', { value: report.reportJson });
    expect(() => report.usedServices({ days: 60 })).toThrow(/one window/);
    const json = synth(s);
    expect(json.data.external).toBeUndefined();
    expect(json.data.accessadvisor_service_last_accessed.usage).toEqual({ arn: '${data.aws_iam_role.role.arn}', granularity: 'ACTION_LEVEL', with_entities: false });
    expect(json.data.accessadvisor_unused_permissions.usage).toEqual({ arn: '${data.aws_iam_role.role.arn}', granularity: 'ACTION_LEVEL', with_entities: false, unused_after_days: 30 });
    expect(json.output.unused.value).toBe('${data.accessadvisor_unused_permissions.usage.unused_services}');
    expect(json.output.actions.value).toBe('${data.accessadvisor_unused_permissions.usage.unused_actions}');
    expect(json.output.job.value).toBe('${data.accessadvisor_service_last_accessed.usage.job_id}');
    expect(json.output.json.value).toBe('${jsonencode(data.accessadvisor_service_last_accessed.usage)}');
    expect(json.provider.accessadvisor).toEqual([{}]);
  });

  it("a report's connection settings become an aliased provider shared by the reports that have the same", () => {
    const s = stack();
    const a = new ServiceLastAccessedReport(s, 'a', { resolveAt: 'plan', arn: ROLE, endpoint: 'http://127.0.0.1:4566', timeout: '5m' });
    new ServiceLastAccessedReport(s, 'b', { resolveAt: 'plan', arn: ROLE, endpoint: 'http://127.0.0.1:4566', timeout: '5m' });
    new OrganizationsAccessReport(s, 'org', { resolveAt: 'plan', entityPath: 'o-abcdefghij/r-ab12', profile: 'management' });
    const json = synth(s);
    const binding = a.planTime!;
    if (binding.source !== 'provider') throw new Error('expected the provider binding');
    const alias = binding.provider!.alias!;
    expect(json.data.accessadvisor_service_last_accessed.a.provider).toBe(`accessadvisor.${alias}`);
    expect(json.data.accessadvisor_service_last_accessed.b.provider).toBe(`accessadvisor.${alias}`);
    const providers = json.provider.accessadvisor as Json[];
    expect(providers).toContainEqual({ alias, endpoint: 'http://127.0.0.1:4566', timeouts: [{ read: '300s' }] });
    expect(providers.filter((p) => p.profile === 'management')).toHaveLength(1);
    expect(providers).toHaveLength(2); // no data source reads through the default provider: none is added
  });

  it('the gate is a postcondition on its own accessadvisor_unused_permissions, with the gate table as error_message', () => {
    const s = stack();
    const role = new DataAwsIamRole(s, 'role', { name: 'app' });
    const report = new ServiceLastAccessedReport(s, 'usage', { resolveAt: 'plan', arn: role.arn });
    const gate = new LeastPrivilegeGate(s, 'gate', { report, unusedAfterDays: 30, maxReportAgeDays: 3, judgeUnknownHistory: true, allow: ALLOW_EC2 });
    const json = synth(s);
    const decision = json.data.accessadvisor_unused_permissions.gate;
    expect(decision).toMatchObject({ arn: '${data.aws_iam_role.role.arn}', unused_after_days: 30, max_report_age_days: 3, judge_unknown_history: true, exceptions: ALLOW_EC2 });
    expect(decision.policies).toBeUndefined(); // nothing given, the role lives outside the stack: judge today's grants
    const [postcondition] = decision.lifecycle.postcondition;
    expect(postcondition.condition).toBe('${self.passed}');
    expect(postcondition.error_message).toBe(
      'LeastPrivilegeGate stack/gate: ${self.summary}\n${self.table}\njudged: what IAM grants the principal today (give policy/policies, or the principal as a construct of this stack, to judge the stack as it will be)\nRemove them from the policy, or accept one with allow: [{ permission, reason }].',
    );
    expect(gate.planDecision!.element.terraformResourceType).toBe('accessadvisor_unused_permissions');
    new TerraformOutput(s, 'summary', { value: gate.planSummary });
    expect(synth(s).output.summary.value).toBe('${data.accessadvisor_unused_permissions.gate.summary}');
    expect(() => gate.violations).toThrow('plan-time violations are known only to Terraform');
    expect(json.check).toBeUndefined();
  });

  it("failOn 'warning' is a check block over the gate's data source: Terraform warns, the plan goes on", () => {
    const s = stack();
    const report = new ServiceLastAccessedReport(s, 'usage', { resolveAt: 'plan', arn: ROLE });
    new LeastPrivilegeGate(s, 'soft_gate', { report, failOn: 'warning' });
    const json = synth(s);
    expect(json.data.accessadvisor_unused_permissions.soft_gate.lifecycle).toBeUndefined();
    expect(json.check.soft_gate.assert).toEqual([
      {
        condition: '${data.accessadvisor_unused_permissions.soft_gate.passed}',
        error_message: expect.stringMatching(
          /^LeastPrivilegeGate stack\/soft_gate \(warning\): \$\{data\.accessadvisor_unused_permissions\.soft_gate\.summary\}\n\$\{data\.accessadvisor_unused_permissions\.soft_gate\.table\}\n/,
        ),
      },
    ]);
  });

  it('judges what the stack attaches to a role it owns: literal documents (escaped for Terraform) in policies', () => {
    const s = stack();
    const role = new IamRole(s, 'owned', { name: 'owned', assumeRolePolicy: '{}' });
    const withVariable = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/$${aws:username}/*' }] };
    new IamRolePolicy(s, 'inline', { role: role.name, policy: JSON.stringify(withVariable) });
    const report = new ServiceLastAccessedReport(s, 'usage', { resolveAt: 'plan', arn: role.arn });
    new LeastPrivilegeGate(s, 'gate', { report });
    const json = synth(s);
    const policies = json.data.accessadvisor_unused_permissions.gate.policies as string[];
    expect(policies).toHaveLength(1);
    // Terraform reads `$${` as a literal `${`: the provider receives the policy variable as IAM wrote it.
    expect(policies[0]).toContain('bucket/$${aws:username}/*');
    expect(json.data.accessadvisor_unused_permissions.gate.lifecycle.postcondition[0].error_message).toContain('judged: the stack as it will be: aws_iam_role_policy.inline');
  });

  it("feeds a plan-time tightening the stack attaches to the looked-up role to the gate's policies, by reference, once the stack pins the role's whole set", () => {
    const s = stack();
    const role = new DataAwsIamRole(s, 'role', { name: 'app' });
    const report = new ServiceLastAccessedReport(s, 'usage', { resolveAt: 'plan', arn: role.arn });
    const tightened = new DataAccessAdvisorTightenedPolicy(s, 'tightened', { arn: role.arn, policy: JSON.stringify(S3_ONLY), exceptions: ALLOW_EC2 });
    const policy = new IamPolicy(s, 'tightened_policy', { name: 'app-tightened', policy: tightened.json });
    new IamRolePolicyAttachmentsExclusive(s, 'managed_set', { roleName: role.name, policyArns: [policy.arn] });
    new IamRolePoliciesExclusive(s, 'inline_set', { roleName: role.name, policyNames: [] });
    new LeastPrivilegeGate(s, 'gate', { report, allow: ALLOW_EC2, policy: tightened.json });
    const json = synth(s);
    const decision = json.data.accessadvisor_unused_permissions.gate;
    expect(decision.policies).toEqual(['${data.accessadvisor_tightened_policy.tightened.json}']);
    expect(decision.lifecycle.postcondition[0].error_message).toContain(
      'judged: the stack as it will be: policy (a token) (data.accessadvisor_tightened_policy.tightened); aws_iam_role_policy_attachments_exclusive.managed_set.policy_arns -> aws_iam_policy.tightened_policy (data.accessadvisor_tightened_policy.tightened)',
    );
  });

  it("a plan-time gate judging a DataAccessAdvisorTightenedPolicy honours that tightening's exceptions (a token list cannot be merged)", () => {
    const s = stack();
    const role = new DataAwsIamRole(s, 'role', { name: 'app' });
    const report = new ServiceLastAccessedReport(s, 'usage', { resolveAt: 'plan', arn: role.arn });
    const tightened = new DataAccessAdvisorTightenedPolicy(s, 'tightened', { arn: role.arn, policy: JSON.stringify(S3_ONLY), exceptions: ALLOW_EC2 });
    const listed = new TerraformVariable(s, 'exceptions', { type: 'list(object({ permission = string, reason = string }))' });
    const opaqueList = new DataAccessAdvisorTightenedPolicy(s, 'tightened_by_variable', { arn: role.arn, policy: JSON.stringify(S3_ONLY), exceptions: listed.value });
    const own = [{ permission: 's3:GetObject', reason: 'reads the artefacts' }];
    new LeastPrivilegeGate(s, 'gate', { report, allow: own, policies: [tightened.json, opaqueList.json] });
    new LeastPrivilegeGate(s, 'alone', { report, allow: own });
    const json = synth(s);
    expect(json.data.accessadvisor_unused_permissions.gate.exceptions).toEqual([...own, ...ALLOW_EC2]);
    expect(json.data.accessadvisor_unused_permissions.alone.exceptions).toEqual(own);
  });

  it('a looked-up role whose set the stack does not pin keeps what IAM attaches today: no policies (today\'s grants judged), with the fix', () => {
    for (const planTimeSource of ['provider', 'external'] as const) {
      const s = stack();
      const role = new DataAwsIamRole(s, 'role', { name: 'app' });
      const report = new ServiceLastAccessedReport(s, 'usage', { resolveAt: 'plan', planTimeSource, arn: role.arn });
      const tightened = new DataAccessAdvisorTightenedPolicy(s, 'tightened', { arn: role.arn, policy: JSON.stringify(S3_ONLY), exceptions: ALLOW_EC2 });
      const policy = new IamPolicy(s, 'tightened_policy', { name: 'app-tightened', policy: tightened.json });
      new IamRolePolicyAttachment(s, 'attach', { role: role.name, policyArn: policy.arn });
      new LeastPrivilegeGate(s, 'gate', { report, allow: ALLOW_EC2, policies: [tightened.json, JSON.stringify(S3_ONLY)] });
      const json = synth(s);
      if (planTimeSource === 'external') {
        const [block] = Object.values(json.data.external as Record<string, Json>);
        expect(block!.query.policies).toBeUndefined();
        continue;
      }
      const decision = json.data.accessadvisor_unused_permissions.gate;
      expect(decision.policies).toBeUndefined();
      expect(decision.lifecycle.postcondition[0].error_message).toContain(
        'data.aws_iam_role.role is not a resource of this stack (a lookup): the policies attached to it outside this stack stay attached, so what IAM grants it today still counts: pin its whole set in this stack with aws_iam_role_policy_attachments_exclusive',
      );
    }
  });

  it('fails closed: a route grant discovery cannot trace means no policies (every unused permission counts), and says why', () => {
    const s = stack();
    const role = new IamRole(s, 'owned', { name: 'owned', assumeRolePolicy: '{}' });
    const unknownPolicy = new TerraformVariable(s, 'extra_policy', { type: 'string' });
    new IamRolePolicy(s, 'inline', { role: role.name, policy: unknownPolicy.stringValue });
    const report = new ServiceLastAccessedReport(s, 'usage', { resolveAt: 'plan', arn: role.arn });
    new LeastPrivilegeGate(s, 'gate', { report, policy: JSON.stringify(S3_ONLY) });
    const json = synth(s);
    const decision = json.data.accessadvisor_unused_permissions.gate;
    expect(decision.policies).toBeUndefined();
    expect(decision.lifecycle.postcondition[0].error_message).toMatch(/may grant anything, so every unused permission still counts: aws_iam_role_policy\.inline: its policy is not known at synth/);
  });

  it('the external fallback judges a plan-time tightening as opaque (it cannot read it), so it judges today\'s grants', () => {
    const s = stack();
    const role = new DataAwsIamRole(s, 'role', { name: 'app' });
    const report = new ServiceLastAccessedReport(s, 'usage', { resolveAt: 'plan', planTimeSource: 'external', arn: role.arn });
    const tightened = new DataAccessAdvisorTightenedPolicy(s, 'tightened', { arn: role.arn, policy: JSON.stringify(S3_ONLY) });
    new LeastPrivilegeGate(s, 'gate', { report, policy: tightened.json });
    const json = synth(s);
    const [block] = Object.values(json.data.external as Record<string, Json>);
    expect(block!.query.policies).toBeUndefined();
  });

  it("planTimeSource is refused on a synth-time report and when it is not 'provider' or 'external'", () => {
    expect(() => new ServiceLastAccessedReport(stack(), 'r', { arn: ROLE, planTimeSource: 'external' })).toThrow(/^planTimeSource: "external" is not allowed; expected no value unless resolveAt is 'plan'/);
    expect(() => new ServiceLastAccessedReport(stack(), 'r', { arn: ROLE, resolveAt: 'plan', planTimeSource: 'grpc' as never })).toThrow(/^planTimeSource: "grpc" is not allowed; expected one of 'provider', 'external'/);
  });
});

describe('the published declarations', () => {
  it('type the provider constructs structurally: dist/public.d.ts names neither cdktf nor cdktn (a cdktn-only project type-checks)', () => {
    const file = join(__dirname, '..', '..', 'dist', 'public.d.ts');
    expect(existsSync(file)).toBe(true); // npm run build
    const dts = readFileSync(file, 'utf8');
    for (const name of ['AccessAdvisorProvider', 'DataAccessAdvisorUnusedPermissions', 'DataAccessAdvisorTightenedPolicy', 'NativeDataSourceElement']) {
      expect(dts).toMatch(new RegExp(`(class|interface) ${name}\\b`));
    }
    expect(dts).not.toMatch(/from ['"](cdktf|cdktn)['"]|import\(['"](cdktf|cdktn)['"]\)/);
  });
});
