/**
 * A plan-mode LeastPrivilegeGate: the synthesized data source carries the gate's window and exceptions in its
 * query and the postcondition in its lifecycle; the program's real answer decides it.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformVariable } from '../../src/constructs/default-core';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { planGateCondition, planGateErrorMessage } from '../../src/constructs/plan-time-report';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { startEmulator } from '../../src/emulator';
import type { RunningEmulator } from '../../src/emulator';
import { adminEnv, buildBundle, parseFlatStringMap, runLikeTerraform, synthesize } from './support';
import type { ExternalBlock, SynthesizedStack } from './support';
import { APP_ROLE, planWorld } from './world';

let emulator: RunningEmulator;
let stack: SynthesizedStack;
const ROLE_VAR = '${var.gated_role}';

beforeAll(async () => {
  buildBundle();
  emulator = await startEmulator({ world: planWorld(), port: 0, seed: 5, jobs: { durationMs: 50 } });
  stack = synthesize('gated', (s) => {
    new AwsProvider(s, 'aws', { region: 'us-east-1' });
    const role = new TerraformVariable(s, 'gated_role', { type: 'string' });
    const strict = new ServiceLastAccessedReport(s, 'strict', { resolveAt: 'plan', arn: role.stringValue, endpoint: emulator.endpoint });
    new LeastPrivilegeGate(s, 'strict_gate', { report: strict, unusedAfterDays: 60 });
    const lenient = new ServiceLastAccessedReport(s, 'lenient', { resolveAt: 'plan', arn: role.stringValue, endpoint: emulator.endpoint });
    new LeastPrivilegeGate(s, 'lenient_gate', { report: lenient, allow: [{ permission: 'sqs', reason: 'quarterly batch' }] });
  });
});

afterAll(async () => {
  await emulator?.close();
});

function block(prefix: string): ExternalBlock {
  const found = Object.entries(stack.json.data?.external ?? {}).find(([id]) => id.startsWith(`${prefix}_`));
  if (!found) throw new Error(`no data.external for ${prefix}`);
  return found[1];
}

describe('LeastPrivilegeGate on a plan-mode report', () => {
  it('synthesizes the postcondition with condition and error_message, and the gate options in the query', () => {
    for (const prefix of ['strict', 'lenient']) {
      expect(block(prefix).lifecycle?.postcondition).toEqual([{ condition: planGateCondition(), error_message: planGateErrorMessage() }]);
    }
    expect(block('strict').query?.unused_after_days).toBe('60');
    expect(JSON.parse(block('strict').query!.allow!)).toEqual([]);
    expect(JSON.parse(block('lenient').query!.allow!)).toEqual([{ permission: 'sqs', reason: 'quarterly batch' }]);
  });

  it('the program answers violation_count so that the strict gate fails and the excepted one passes', async () => {
    const answer = async (prefix: string) => {
      const run = await runLikeTerraform(block(prefix), { cwd: stack.stackDir, known: { [ROLE_VAR]: APP_ROLE }, env: adminEnv() });
      if (run.code !== 0) throw new Error(run.stderr);
      return parseFlatStringMap(run.stdout);
    };
    const strict = await answer('strict');
    const lenient = await answer('lenient');
    // The canonical condition is `violation_count == "0"`.
    expect(planGateCondition()).toContain('self.result["violation_count"] == "0"');
    expect(strict.violation_count).not.toBe('0');
    expect(JSON.parse(strict.violations!).map((v: { permission: string }) => v.permission)).toEqual(['sqs']);
    expect(lenient.violation_count).toBe('0');
    expect(strict.summary).toContain('sqs');
  });
});
