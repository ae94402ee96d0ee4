import { annotationsOf, outputOf, type SynthResult, type SynthRun } from '../../scripts/example-harness';
import { evaluateIdentityPolicies } from '../../src/analysis';
import { tierRan } from '../tiers';
import { allowActions, ExampleWorld } from './support';

// The cdktn twin of least-privilege-role, synthesized by the real cdktn CLI (0.24, on the Node 22 binary package) in
// this repository, where cdktf is installed too: the mixed install in which a package that picked "the first core
// that resolves" built the gate with cdktf's aspects, cdktn never ran them and the synth passed. Same world, same
// decisions as the cdktf example (see least-privilege-role.test.ts for how they follow from examples/world.json).
const world = new ExampleWorld();
let result: SynthResult;
let asUser: SynthRun;

beforeAll(async () => {
  await world.start();
  result = await world.synth('least-privilege-role-cdktn');
  // today's policy attached instead of the tightened one: the deployer gate fails
  asUser = await world.synthAsUser('least-privilege-role-cdktn', { 'leastPrivilegeRole:deployerPolicy': 'current' });
}, 600_000);
afterAll(async () => {
  await world.stop();
  tierRan('cdktn-cli', 'cdktn synth (Node 22) of examples/least-privilege-role-cdktn');
  tierRan('mixed-install', 'cdktn app with cdktf installed: its failing gate fails `cdktn synth`');
});

describe('examples/least-privilege-role-cdktn, by `cdktn synth`', () => {
  it('runs on Node 22 and writes the stack of the cdktn app', () => {
    expect(result.stackName).toBe('least-privilege-role-cdktn');
    expect(result.stack['//']?.metadata?.version).toMatch(/^0\.2[3-9]\./); // cdktn's version, not cdktf's 0.21
  });

  it('a failing gate fails the real CLI\'s synth with the gate\'s message (also with cdktf installed)', () => {
    const output = `${asUser.stdout}\n${asUser.stderr}`;
    expect(asUser.exitCode).not.toBe(0);
    expect(output).toMatch(/LeastPrivilegeGate least-privilege-role-cdktn\/deployer_gate: 2 unused service\(s\) and \d+ unused action\(s\) in 3 used service\(s\) of arn:aws:iam::123456789012:role\/app-deployer/);
    expect(output).toMatch(/error annotations/);
    // with the tightened policy attached the same gate passes and the CLI exits 0
    expect(result.exitCode).toBe(0);
  });

  it('decides as the cdktf example: the same reports, tightened policy and gates', () => {
    expect(outputOf(result, 'app_deployer_services_unused')).toEqual(['dynamodb', 'ec2', 'sqs']);
    expect(outputOf(result, 'app_deployer_services_used')).toEqual(['iam', 'lambda', 'logs', 's3']);
    expect(outputOf(result, 'app_deployer_removed_services')).toEqual(['dynamodb', 'sqs']);
    expect(outputOf(result, 'app_deployer_tightening_proof_holds')).toBe(true);
    expect(outputOf(result, 'ops_admin_services_used')).toEqual(['cloudwatch', 'ec2', 'iam', 's3']);
    const deployer = result.stack.resource.aws_iam_policy.deployer_policy.policy as string;
    expect(allowActions(deployer).filter((a) => /^(dynamodb|sqs):/.test(a))).toEqual([]); // ec2 kept by its exception
    for (const kept of ['iam:GetRole', 'lambda:CreateFunction', 's3:PutObject', 'iam:PassRole']) {
      expect([kept, evaluateIdentityPolicies([deployer], kept)]).toEqual([kept, 'Allowed']);
    }
    for (const gone of ['dynamodb:GetItem', 'sqs:SendMessage', 'iam:CreateRole']) {
      expect([gone, evaluateIdentityPolicies([deployer], gone)]).toEqual([gone, 'ImplicitlyDenied']);
    }
    expect(outputOf(result, 'app_deployer_gate_passed')).toBe(true);
    expect(outputOf(result, 'app_deployer_gate_violations')).toEqual([]);
    expect(outputOf(result, 'young_analytics_gate_passed')).toBe(true);
    expect(annotationsOf(result, 'analytics_gate').map((a) => a.level)).toEqual(['info']);
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });
});
