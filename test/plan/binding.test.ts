import * as fs from 'fs';
import * as path from 'path';
import { Fn, TerraformOutput, TerraformProvider, TerraformStack, TerraformVariable, Testing } from '../default-core';
import type { Construct } from '../default-core';
import {
  EXTERNAL_PROVIDER_REQUIREMENT,
  bindPlanTimeReport,
  planGateCondition,
  planGateErrorMessage,
  planTimeQuery,
} from '../../src/constructs/plan-time-report';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { BUNDLE, buildBundle, externalBlock, synthesize } from './support';

beforeAll(() => buildBundle());

/** Stands in for @cdktf/provider-external's ExternalProvider (not a dependency of this package). */
class UserExternalProvider extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: 'external',
      terraformProviderSource: 'hashicorp/external',
      terraformGeneratorMetadata: { providerName: 'external', providerVersionConstraint: '~> 2.1' },
    });
  }
  protected override synthesizeAttributes(): Record<string, unknown> {
    return { alias: 'mine' };
  }
}

describe('bindPlanTimeReport: the data "external" block', () => {
  it('runs the bundled program from a stack asset, relative to the module path', () => {
    const stack = synthesize('assets', (s) => {
      bindPlanTimeReport(s, 'app', { arn: 'arn:aws:iam::123456789012:role/app' });
    });
    const block = externalBlock(stack, 'app');
    expect(block.program).toHaveLength(2);
    expect(block.program[0]).toBe('node');
    expect(block.program[1]).toMatch(/^\$\{path\.module\}\/assets\/.+\/access-advisor-external\.js$/);
    const assetFile = path.join(stack.stackDir, block.program[1]!.replace('${path.module}/', ''));
    expect(fs.readFileSync(assetFile)).toEqual(fs.readFileSync(BUNDLE));
  });

  it('passes the query as strings, drops undefined values and keeps tokens as Terraform expressions', () => {
    const stack = synthesize('query', (s) => {
      new AwsProvider(s, 'aws', { region: 'us-east-1' });
      const role = new IamRole(s, 'role', { name: 'app', assumeRolePolicy: '{}' });
      const variable = new TerraformVariable(s, 'audited_role', { type: 'string' });
      bindPlanTimeReport(
        s,
        'from_resource',
        planTimeQuery({ arn: role.arn, granularity: 'ACTION_LEVEL', withEntities: true, timeoutSeconds: 120, region: undefined }),
      );
      bindPlanTimeReport(s, 'from_variable', { arn: variable.stringValue, kind: 'service-last-accessed' });
      bindPlanTimeReport(s, 'org', planTimeQuery({ kind: 'organizations-access', entityPath: 'o-abcdefghij/r-ab12' }));
    });
    expect(externalBlock(stack, 'from_resource').query).toEqual({
      arn: '${aws_iam_role.role.arn}',
      granularity: 'ACTION_LEVEL',
      with_entities: 'true',
      timeout_seconds: '120',
    });
    expect(externalBlock(stack, 'from_variable').query).toEqual({ arn: '${var.audited_role}', kind: 'service-last-accessed' });
    expect(externalBlock(stack, 'org').query).toEqual({ kind: 'organizations-access', entity_path: 'o-abcdefghij/r-ab12' });
  });

  it('requires hashicorp/external exactly once and ships one program asset per stack, however many reports', () => {
    const stack = synthesize('many', (s) => {
      for (let i = 0; i < 3; i += 1) bindPlanTimeReport(s, `report_${i}`, { arn: `arn:aws:iam::123456789012:role/r${i}` });
    });
    expect(stack.json.terraform?.required_providers).toEqual({ external: { ...EXTERNAL_PROVIDER_REQUIREMENT } });
    expect(stack.json.provider?.external).toEqual([{}]);
    const programs = new Set(Object.values(stack.json.data?.external ?? {}).map((b) => b.program[1]));
    expect(Object.keys(stack.json.data?.external ?? {})).toHaveLength(3);
    expect(programs.size).toBe(1);
    expect(fs.readdirSync(path.join(stack.stackDir, 'assets'))).toHaveLength(1);
  });

  it('defers to a provider "external" the user declared, so there is never a duplicate block', () => {
    const stack = synthesize('own_provider', (s) => {
      bindPlanTimeReport(s, 'app', { arn: 'arn:aws:iam::123456789012:role/app' });
      new UserExternalProvider(s, 'mine');
    });
    expect(stack.json.provider?.external).toEqual([{ alias: 'mine' }]);
    expect(stack.json.terraform?.required_providers?.external?.source).toBe('hashicorp/external');
  });

  it('rejects unknown and non-string query keys at synth, naming them', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'bad');
    expect(() => bindPlanTimeReport(stack, 'typo', { arm: 'x' })).toThrow(/query key "arm" is not allowed/);
    const ok = bindPlanTimeReport(stack, 'ok', { arn: 'arn:aws:iam::123456789012:role/app' });
    expect(() => ok.setQuery('granularityy', 'ACTION_LEVEL')).toThrow(/"granularityy"/);
    expect(() => ok.setQuery('timeout_seconds', 60 as unknown as string)).toThrow(/expected a string/);
  });

  it('setQuery changes the synthesized query until synth', () => {
    const stack = synthesize('set', (s) => {
      const binding = bindPlanTimeReport(s, 'app', { arn: 'arn:aws:iam::123456789012:role/app' });
      binding.setQuery('unused_after_days', '30');
      binding.setQuery('allow', JSON.stringify([{ permission: 'sqs', reason: 'queue drains yearly' }]));
      expect(binding.query.unused_after_days).toBe('30');
    });
    const query = externalBlock(stack, 'app').query!;
    expect(query.unused_after_days).toBe('30');
    expect(JSON.parse(query.allow!)).toEqual([{ permission: 'sqs', reason: 'queue drains yearly' }]);
  });
});

describe('typed outputs render valid Terraform expressions', () => {
  it('result(key) renders the result map lookup, decoded(key) a jsondecode of it, never [object Object]', () => {
    let binding!: ReturnType<typeof bindPlanTimeReport>;
    const stack = synthesize('outputs', (s) => {
      binding = bindPlanTimeReport(s, 'app', { arn: 'arn:aws:iam::123456789012:role/app' });
      new TerraformOutput(s, 'summary', { value: binding.result('summary') });
      new TerraformOutput(s, 'unused', { value: binding.decoded('unused_services') });
      new TerraformOutput(s, 'interpolated', { value: `unused: ${binding.result('unused_service_count')}` });
      new AwsProvider(s, 'aws', { region: 'us-east-1' });
      const role = new IamRole(s, 'role', { name: 'app', assumeRolePolicy: '{}' });
      // A list feeding a policy document and a number feeding count: the two uses the issue names.
      new IamRolePolicy(s, 'kept', {
        role: role.name,
        policy: Fn.jsonencode({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*', Action: binding.decodedList('used_actions') }] }),
      });
      new IamRolePolicy(s, 'per_violation', {
        count: binding.decodedNumber('violation_count'),
        role: role.name,
        policy: '{}',
      });
    });
    const text = JSON.stringify(stack.json);
    expect(text).not.toContain('[object Object]');
    expect(text).not.toMatch(/\$\{TfToken\[/);
    expect(stack.json.output?.summary?.value).toBe('${data.external.app.result["summary"]}');
    expect(stack.json.output?.unused?.value).toBe('${jsondecode(data.external.app.result["unused_services"])}');
    expect(stack.json.output?.interpolated?.value).toBe('unused: ${data.external.app.result["unused_service_count"]}');
    const policies = stack.json.resource?.aws_iam_role_policy ?? {};
    expect(policies.per_violation?.count).toBe('${jsondecode(data.external.app.result["violation_count"])}');
    expect(policies.kept?.policy).toBe(
      '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Resource" = "*", "Action" = jsondecode(data.external.app.result["used_actions"])}]})}',
    );
    expect(binding.result('summary')).not.toBe(binding.result('report'));
  });
});

describe('plan-time gate as a postcondition', () => {
  it('renders lifecycle.postcondition with condition and error_message, in order', () => {
    const stack = synthesize('gate', (s) => {
      const binding = bindPlanTimeReport(s, 'app', { arn: 'arn:aws:iam::123456789012:role/app' });
      binding.addPostcondition(planGateCondition(), planGateErrorMessage());
      binding.addPostcondition('${self.result["evidence_status"] != "stale-evidence"}', 'stale access advisor data');
    });
    const postconditions = externalBlock(stack, 'app').lifecycle?.postcondition;
    expect(postconditions).toEqual([
      { condition: planGateCondition(), error_message: planGateErrorMessage() },
      { condition: '${self.result["evidence_status"] != "stale-evidence"}', error_message: 'stale access advisor data' },
    ]);
    // A bare string is a literal in Terraform's JSON syntax: the condition must be one interpolation.
    expect(planGateCondition()).toMatch(/^\$\{self\.result\["violation_count"\] == "0" && self\.result\["passed"\] == "true"\}$/);
    expect(planGateErrorMessage()).toContain('${self.result["summary"]}');
  });
});

describe('HCL synthesis', () => {
  it('renders program and query in HCL too', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'hcl');
    bindPlanTimeReport(stack, 'app', { arn: 'arn:aws:iam::123456789012:role/app', granularity: 'ACTION_LEVEL' });
    const hcl = Testing.synthHcl(stack);
    expect(hcl).toMatch(/data "external" "app" \{/);
    expect(hcl).toMatch(/program\s*=\s*\[\s*"node",\s*"\$\{path\.module\}\/assets\/[^"]+\/access-advisor-external\.js"\s*\]/);
    expect(hcl).toMatch(/granularity\s*=\s*"ACTION_LEVEL"/);
    expect(hcl).not.toContain('[object Object]');
  });
});
