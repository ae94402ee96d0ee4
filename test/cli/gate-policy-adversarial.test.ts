import * as fs from 'fs';
import * as path from 'path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { GateResult } from '../../src/report/gate-result';
import { ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

// Policy documents the "is it still granted?" check was not designed for. In the demo world app-deployer never used
// dynamodb: every document below may still grant a dynamodb action, so dynamodb must stay a violation (exit 1), or
// the document must be refused (exit 2) — never "no longer granted" (exit 0).
const WORLD = path.join(ROOT, 'examples', 'world.json');
const DEPLOYER = 'arn:aws:iam::123456789012:role/app-deployer';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table';
const USED = { Effect: 'Allow', Action: ['s3:*', 'lambda:*', 'iam:GetRole', 'logs:*'], Resource: '*' };

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 17, jobs: { durationMs: 150 } });
  dir = tempDir();
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

async function gateOnText(text: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = path.join(dir, `policy-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, text);
  const run = await runCli(['gate', '--arn', DEPLOYER, '--policy', file, '--output', 'json', '--endpoint-url', emulator.endpoint]);
  return { code: run.code, stdout: run.stdout, stderr: run.stderr };
}

async function gateOn(statements: unknown[]): Promise<{ code: number | null; verdict: GateResult }> {
  const run = await gateOnText(JSON.stringify({ Version: '2012-10-17', Statement: [USED, ...statements] }));
  return { code: run.code, verdict: JSON.parse(run.stdout) as GateResult };
}

describe('gate --policy: a Deny only takes away what it provably covers', () => {
  it.each([
    // `b?` matches the literal text `b*` but not `bucket-orders`: the Allow still grants that table.
    ['a Deny on a narrower pattern that matches the Allow pattern as text', `${TABLE}/b*`, [`${TABLE}/b?`]],
    ['a Deny on the literal pattern text only', `${TABLE}/orders-*`, [`${TABLE}/orders-?`, `${TABLE}/orders-??`]],
  ])('%s: dynamodb stays a violation (exit 1)', async (_name, allowed, denied) => {
    const { code, verdict } = await gateOn([
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: allowed },
      { Effect: 'Deny', Action: 'dynamodb:*', Resource: denied },
    ]);
    expect(code).toBe(1);
    expect(verdict.principals[0]!.unusedServices).toContain('dynamodb');
    expect(verdict.principals[0]!.notGranted).not.toContain('dynamodb');
  });

  it.each([
    ['NotPrincipal', { NotPrincipal: { AWS: 'arn:aws:iam::123456789012:role/app-deployer' } }],
    ['Principal', { Principal: { AWS: 'arn:aws:iam::123456789012:role/someone-else' } }],
  ])('a Deny naming a %s denies only some principals: dynamodb stays a violation (exit 1)', async (_name, who) => {
    const { code, verdict } = await gateOn([
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
      { Effect: 'Deny', Action: 'dynamodb:*', Resource: '*', ...who },
    ]);
    expect(code).toBe(1);
    expect(verdict.principals[0]!.unusedServices).toContain('dynamodb');
  });

  it('control: a Deny whose pattern covers the Allow pattern takes the grant away (exit 0)', async () => {
    const { code, verdict } = await gateOn([
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: `${TABLE}/orders-*` },
      { Effect: 'Deny', Action: 'dynamodb:*', Resource: `${TABLE}/*` },
    ]);
    // s3:* still grants s3's unused tracked actions (exit 1); dynamodb is the point here.
    expect(code).not.toBe(2);
    expect(verdict.principals[0]!.notGranted).toContain('dynamodb');
    expect(verdict.principals[0]!.unusedServices).not.toContain('dynamodb');
  });
});

describe('gate --policy: document forms whose meaning is ambiguous are refused (exit 2)', () => {
  it('a statement with a duplicated key: the reader would keep one value, IAM may read another', async () => {
    const text = `{"Version":"2012-10-17","Statement":[${JSON.stringify(USED)},{"Effect":"Allow","Action":"dynamodb:*","Action":"s3:GetObject","Resource":"*"}]}`;
    const run = await gateOnText(text);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Action/);
    expect(run.stderr).toMatch(/twice|duplicate/i);
  });

  it('a duplicated top-level Statement key', async () => {
    const text = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"},"Statement":${JSON.stringify(USED)}}`;
    const run = await gateOnText(text);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Statement/);
  });

  it.each([
    ['an Allow', { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: `${TABLE}/orders ` }],
    // A reader that trims would take " *" for "*" and judge dynamodb:* denied everywhere.
    ['a Deny', { Effect: 'Deny', Action: 'dynamodb:*', Resource: ' *' }],
  ])('%s whose Resource is padded with whitespace', async (_name, statement) => {
    const extra = statement.Effect === 'Deny' ? [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }, statement] : [statement];
    const run = await gateOnText(JSON.stringify({ Version: '2012-10-17', Statement: [USED, ...extra] }));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Resource/);
    expect(run.stderr).toMatch(/whitespace/);
  });
});

describe('gate --policy: text another reader may take differently is refused, never read one way (exit 2)', () => {
  const used = JSON.stringify(USED);
  const grantsDynamodb = '{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}';
  it.each([
    ['a key named twice, once through a JSON escape', `{"Version":"2012-10-17","Statement":[${used},{"Effect":"Allow","Action":"dynamodb:*","Act\\u0069on":"s3:GetObject","Resource":"*"}]}`, /Action \(named twice\)/],
    ['an element name in another case beside the real one', `{"Version":"2012-10-17","Statement":[${used},{"Effect":"Allow","Action":"dynamodb:*","action":"s3:GetObject","Resource":"*"}]}`, /Statement\[1\]\.action/],
    ['a __proto__ key in a statement', `{"Version":"2012-10-17","Statement":[${used},{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","__proto__":{"Effect":"Deny"}}]}`, /__proto__/],
    ['a byte-order mark before the document', `\ufeff{"Version":"2012-10-17","Statement":[${used},${grantsDynamodb}]}`, /not valid JSON/],
    ['a comment', `{"Version":"2012-10-17","Statement":[${used},/* gone */${grantsDynamodb}]}`, /not valid JSON/],
    ['a trailing comma', `{"Version":"2012-10-17","Statement":[${used},${grantsDynamodb},]}`, /not valid JSON/],
    ['a number as an Action', `{"Version":"2012-10-17","Statement":[${used},{"Effect":"Allow","Action":["dynamodb:*",7],"Resource":"*"}]}`, /Action\[1\]/],
  ])('%s', async (_name, text, message) => {
    const run = await gateOnText(text);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});

describe('tighten --policy: a duplicated key is refused before the job (exit 2)', () => {
  it('from standard input: the tightening would otherwise start from a document IAM may read differently', async () => {
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Action":"s3:GetObject","Resource":"*"}]}`;
    const run = await runCli(['tighten', '--arn', DEPLOYER, '--policy', '-', '--endpoint-url', emulator.endpoint], { input: text });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/standard input: Statement\[0\]\.Action: "Action \(named twice\)" is not allowed/);
    expect(run.stdout).toBe('');
  });
});
