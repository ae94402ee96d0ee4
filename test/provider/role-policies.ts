import { spawn } from 'node:child_process';

/** The AWS CLI v2 of the machine: an independent client reading what the emulator's IAM holds after an apply. */
const AWS_CLI = '/usr/bin/aws';

/** Runs one AWS CLI command; its JSON output (commands that print nothing give {}). */
function awsJson(args: readonly string[], endpoint: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(AWS_CLI, [...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', '--no-cli-pager'], {
      env: { ...env, AWS_PAGER: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve((stdout.trim() === '' ? {} : JSON.parse(stdout)) as Record<string, unknown>) : reject(new Error(`aws ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

/** What IAM attaches to a role: its managed policy ARNs and inline policy names, each sorted. */
export async function rolePolicies(endpoint: string, roleName: string, env: NodeJS.ProcessEnv): Promise<{ managed: string[]; inline: string[] }> {
  const attached = await awsJson(['iam', 'list-attached-role-policies', '--role-name', roleName], endpoint, env);
  const inline = await awsJson(['iam', 'list-role-policies', '--role-name', roleName], endpoint, env);
  return {
    managed: (attached.AttachedPolicies as { PolicyArn: string }[]).map((p) => p.PolicyArn).sort(),
    inline: (inline.PolicyNames as string[]).sort(),
  };
}

/** An inline policy's document as IAM returns it (the CLI decodes it). */
export async function rolePolicyDocument(endpoint: string, roleName: string, policyName: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  const got = await awsJson(['iam', 'get-role-policy', '--role-name', roleName, '--policy-name', policyName], endpoint, env);
  return got.PolicyDocument;
}

/** Gives a role an inline policy outside Terraform (as a console user would). */
export async function putRolePolicy(endpoint: string, roleName: string, policyName: string, document: object, env: NodeJS.ProcessEnv): Promise<void> {
  await awsJson(['iam', 'put-role-policy', '--role-name', roleName, '--policy-name', policyName, '--policy-document', JSON.stringify(document)], endpoint, env);
}
