import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TightenedPolicyDocument } from '../../src/constructs/tightened-policy-document';
import { TerraformOutput, Testing } from '../default-core';
import { cachedReport, stackWithCachedReports } from '../analysis/construct-fixtures';
import { OLD, RECENT, report, service } from '../analysis/fixtures';
import { TERRAFORM_PLUGIN_MIRROR } from '../examples/support';
import { MIRRORED_AWS_PROVIDER, terraformAvailability } from '../examples/terraform';
import { tierNotRun, tierRan } from '../tiers';

// Issue 22: tightening a DataAwsIamPolicyDocument never drops what Terraform would merge into it, and Terraform's
// `&{…}` escape (data sources only) reaches IAM as the policy variable `${…}`, never as literal `&{…}` text.
const evidence = report([service('s3', RECENT, { GetObject: RECENT, PutBucketPolicy: OLD }), service('ec2'), service('lambda', RECENT), service('iam', RECENT)]);
const MERGED = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Used', Effect: 'Allow', Action: ['s3:*', 'lambda:*', 'iam:GetRole', 'iam:PassRole'], Resource: '*' }] });

describe('TightenedPolicyDocument over a DataAwsIamPolicyDocument', () => {
  it.each([
    ['sourceJson', { sourceJson: MERGED }, 'source_json'],
    ['overrideJson', { overrideJson: MERGED }, 'override_json'],
    ['sourcePolicyDocuments', { sourcePolicyDocuments: [MERGED] }, 'source_policy_documents'],
    ['overridePolicyDocuments', { overridePolicyDocuments: [MERGED] }, 'override_policy_documents'],
  ])('%s is refused at construction, naming the argument and the fix (its statements are never dropped)', (_name, props, field) => {
    const { stack } = stackWithCachedReports([evidence]);
    const source = new DataAwsIamPolicyDocument(stack, 'doc', { ...props, statement: [{ actions: ['ec2:*'], resources: ['*'] }] });
    expect(() => new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'usage', evidence), policy: source })).toThrow(
      new RegExp(`stack/doc\\.${field}: .*write those statements as statement blocks of this data source, or pass the merged policy as JSON text`),
    );
  });

  it('a dynamic statement block is refused, not dropped', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const source = new DataAwsIamPolicyDocument(stack, 'doc', { statement: [{ actions: ['s3:*'], resources: ['*'] }] });
    source.addOverride('dynamic.statement', { for_each: '${var.x}', content: { actions: ['lambda:*'], resources: ['*'] } });
    expect(() => new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'usage', evidence), policy: source })).toThrow(/stack\/doc\.dynamic/);
  });

  it('&{aws:userid} in the data source is the policy variable ${aws:userid}; the JSON written for Terraform escapes it as $${aws:userid}', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const source = new DataAwsIamPolicyDocument(stack, 'doc', {
      statement: [{ sid: 'Home', actions: ['s3:GetObject', 's3:PutBucketPolicy'], resources: ['arn:aws:s3:::home/&{aws:userid}/*', 'arn:aws:s3:::pub/$${aws:username}'] }],
    });
    const tight = new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'usage', evidence), policy: source });
    new IamPolicy(stack, 'policy', { name: 'p', policy: tight.json });
    const json = tight.tightenedJson()!;
    expect(JSON.parse(json).Statement[0].Resource).toEqual(['arn:aws:s3:::home/${aws:userid}/*', 'arn:aws:s3:::pub/${aws:username}']);
    expect(json).not.toContain('&{');
    const written = JSON.parse(Testing.synth(stack)).resource.aws_iam_policy.policy.policy as string;
    expect(written).toContain('arn:aws:s3:::home/$${aws:userid}/*');
    expect(written).not.toContain('&{');
    expect(tight.proof.holds).toBe(true);
  });
});

const terraform = terraformAvailability();
describe('through terraform plan (IamPolicy.policy as IAM will receive it)', () => {
  if (!terraform.available) {
    it('reports that the Terraform tier could not run here, and why', () => {
      tierNotRun('terraform', terraform.why);
      expect(terraform.why).not.toBe('');
    });
    return;
  }
  afterAll(() => tierRan('terraform', 'plan of a tightened DataAwsIamPolicyDocument with &{aws:userid} (hashicorp/aws from the mirror)'));
  it('the tightened policy of a data source with &{aws:userid} reaches IAM as ${aws:userid}', () => {
    const { stack } = stackWithCachedReports([evidence]);
    new AwsProvider(stack, 'aws', {
      region: 'us-east-1',
      accessKey: 'AKIAIOSFODNN7EXAMPLE',
      secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      skipCredentialsValidation: true,
      skipRequestingAccountId: true,
      skipMetadataApiCheck: 'true',
    });
    const source = new DataAwsIamPolicyDocument(stack, 'doc', { statement: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::home/&{aws:userid}/*'] }] });
    const tight = new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'usage', evidence), policy: source });
    new IamPolicy(stack, 'policy', { name: 'p', policy: tight.json });
    new TerraformOutput(stack, 'written', { value: tight.json });
    const config = JSON.parse(Testing.synth(stack));
    config.terraform.required_providers.aws = { source: 'hashicorp/aws', version: MIRRORED_AWS_PROVIDER };
    const dir = mkdtempSync(join(tmpdir(), 'aa-forms-'));
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'cli.tfrc'), `provider_installation {\n  filesystem_mirror {\n    path = "${TERRAFORM_PLUGIN_MIRROR}"\n  }\n}\n`);
    const env = { ...process.env, TF_CLI_CONFIG_FILE: join(dir, 'cli.tfrc'), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
    const run = (args: string[]) => spawnSync('terraform', args, { cwd: dir, env, encoding: 'utf8', timeout: 240_000 });
    expect(run(['init', '-input=false', '-backend=false']).status).toBe(0);
    const plan = run(['plan', '-input=false', '-refresh=false', '-out=plan.bin']);
    expect(plan.stderr).toBe('');
    const shown = JSON.parse(run(['show', '-json', 'plan.bin']).stdout);
    const policy = shown.planned_values.root_module.resources.find((r: { address: string }) => r.address === 'aws_iam_policy.policy').values.policy as string;
    expect(JSON.parse(policy).Statement[0].Resource).toEqual(['arn:aws:s3:::home/${aws:userid}/*']);
    expect(JSON.parse(shown.planned_values.outputs.written.value).Statement[0].Resource).toEqual(['arn:aws:s3:::home/${aws:userid}/*']);
  }, 300_000);
});
