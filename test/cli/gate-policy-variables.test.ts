import * as fs from 'fs';
import * as path from 'path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { GateResult } from '../../src/report/gate-result';
import { ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

// Issue 22: a policy variable has no value the gate knows, so a grant on `table/${aws:PrincipalTag/team}-*` may be a
// grant on any table. In the demo world app-deployer never used dynamodb: the grant keeps it a violation (exit 1),
// exactly as the same grant on a literal table name does.
const WORLD = path.join(ROOT, 'examples', 'world.json');
const DEPLOYER = 'arn:aws:iam::123456789012:role/app-deployer';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table';

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 13, jobs: { durationMs: 150 } });
  dir = tempDir();
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

async function gateOn(resource: string | string[], extra: Record<string, unknown> = {}): Promise<{ code: number | null; verdict: GateResult }> {
  const file = path.join(dir, `policy-${Math.random().toString(36).slice(2)}.json`);
  const statements = [
    { Effect: 'Allow', Action: ['s3:*', 'lambda:*', 'iam:GetRole', 'logs:*'], Resource: '*' },
    { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: resource, ...extra },
  ];
  fs.writeFileSync(file, JSON.stringify({ Version: '2012-10-17', Statement: statements }));
  const run = await runCli(['gate', '--arn', DEPLOYER, '--policy', file, '--output', 'json', '--endpoint-url', emulator.endpoint]);
  return { code: run.code, verdict: JSON.parse(run.stdout) as GateResult };
}

describe('gate --policy with policy variables', () => {
  it('a literal table name: dynamodb is still granted, exit 1', async () => {
    const { code, verdict } = await gateOn(`${TABLE}/payments-orders`);
    expect(code).toBe(1);
    expect(verdict.principals[0]!.unusedServices).toContain('dynamodb');
  });

  it.each([
    ['a principal tag', `${TABLE}/\${aws:PrincipalTag/team}-*`],
    ['a variable with a default', `${TABLE}/\${aws:PrincipalTag/team, 'core'}-orders`],
    ['a variable the gate has never heard of', `${TABLE}/\${some:UnknownKey}`],
    ['a variable next to literal escapes', `${TABLE}/\${aws:username}\${*}`],
  ])('%s: the grant may match any table, so dynamodb stays a violation (exit 1)', async (_name, resource) => {
    const { code, verdict } = await gateOn(resource);
    expect(code).toBe(1);
    expect(verdict.principals[0]!.unusedServices).toContain('dynamodb');
    expect(verdict.principals[0]!.notGranted).not.toContain('dynamodb');
  });

  it('a Condition on the variable grant does not make it absent either', async () => {
    const { code, verdict } = await gateOn(`${TABLE}/\${aws:PrincipalTag/team}`, { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'core' } } });
    expect(code).toBe(1);
    expect(verdict.principals[0]!.unusedServices).toContain('dynamodb');
  });
});
