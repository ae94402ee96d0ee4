import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childOutput, type ChildOutput } from '../../scripts/child-output';
import { emulatorEnvironment, REPO_ROOT, WORLD_FILE } from '../../scripts/example-harness';
import { evaluateIdentityPolicies } from '../../src/analysis';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { attachTodaysPolicy, tourBlocks, tourHeadings, tourMain } from './tour-app';

// Every TypeScript block of the README's tour, assembled as the README says (imports on top, the rest in the stack's
// constructor of a `cdktf init` main.ts), type-checked with the template's own compiler options and synthesized
// against the emulator serving the demo world; the outcomes are what the tour's text says they are.

const TEMPLATE = join(REPO_ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'templates', 'typescript');
const ROLE = 'arn:aws:iam::123456789012:role/app-deployer';

interface Annotation {
  readonly constructPath: string;
  readonly level: string;
  readonly message: string;
}
interface Synth {
  readonly run: ChildOutput;
  readonly stack: { terraform?: { required_providers?: Record<string, unknown> }; output?: Record<string, { value: unknown }>; provider?: Record<string, unknown>; resource?: Record<string, Record<string, Record<string, unknown>>>; data?: Record<string, Record<string, Record<string, unknown>>> };
  readonly annotations: Annotation[];
}

// Under .tmp/ of the repository, so that the app's `import … from 'cdktf-access-advisor'` resolves to this package
// (Node's self-reference through package.json `exports`, as the examples do).
mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
const scratch = mkdtempSync(join(REPO_ROOT, '.tmp', 'readme-tour-'));
let emulator: RunningEmulator;

function writeProject(name: string, main: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.ts'), main);
  // The template's compiler options; the package's types come from its build (dist/), as from an installed copy.
  const template = JSON.parse(readFileSync(join(TEMPLATE, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  const compilerOptions = { ...template.compilerOptions, incremental: false, noEmit: true, paths: { 'cdktf-access-advisor': [join(REPO_ROOT, 'dist', 'public.d.ts')] } };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }, null, 2));
  return dir;
}

async function synth(dir: string): Promise<Synth> {
  const outdir = join(dir, 'cdktf.out');
  const env = emulatorEnvironment(emulator.endpoint, {
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTEXT_JSON: '{}',
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true',
    ACCESS_ADVISOR_CACHE_FILE: join(dir, 'access-advisor.context.json'),
    TS_NODE_TRANSPILE_ONLY: 'true',
  });
  const run = await childOutput(spawn(join(REPO_ROOT, 'node_modules', '.bin', 'ts-node'), ['main.ts'], { cwd: dir, env, stdio: 'pipe' }), '');
  const manifestFile = join(outdir, 'manifest.json');
  if (run.code !== 0 || !existsSync(manifestFile)) throw new Error(`the tour app did not synthesize (exit ${run.code}):\n${run.stderr || run.stdout}`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string; annotations?: Annotation[] }> };
  const [entry] = Object.values(manifest.stacks);
  return { run, stack: JSON.parse(readFileSync(join(outdir, entry!.synthesizedStackPath), 'utf8')) as Synth['stack'], annotations: entry!.annotations ?? [] };
}

const errorsOf = (s: Synth) => s.annotations.filter((a) => a.level.endsWith('error'));
const templateMain = () => readFileSync(join(TEMPLATE, 'main.ts'), 'utf8').replaceAll('{{ $base }}', 'tour');

beforeAll(async () => {
  emulator = await startEmulator({ world: WORLD_FILE, port: 0, seed: 3, jobs: { durationMs: 50 } });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("the README's tour", () => {
  it('has numbered sections 1, 2, 3 … without a repeat, and four TypeScript blocks', () => {
    const numbers = tourHeadings().map((h) => Number(/^(\d+)\./.exec(h)?.[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(tourBlocks()).toHaveLength(4);
  });

  it('type-checks as one app with the `cdktf init` template compiler options', async () => {
    const dir = writeProject('typecheck', tourMain(templateMain(), 'cdktf'));
    const tsc = await childOutput(spawn(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--pretty', 'false'], { stdio: 'pipe' }), '');
    expect({ code: tsc.code, errors: tsc.stdout.split('\n').filter(Boolean) }).toEqual({ code: 0, errors: [] });
  }, 300_000);

  describe('synthesized against the emulator (the demo world)', () => {
    let tour: Synth;
    let today: Synth;
    beforeAll(async () => {
      tour = await synth(writeProject('as-written', tourMain(templateMain(), 'cdktf')));
      today = await synth(writeProject('todays-policy', tourMain(templateMain(), 'cdktf', attachTodaysPolicy)));
    }, 600_000);

    it('section 1: the report is a literal value; the tightened policy keeps what is used and removes dynamodb and sqs', () => {
      expect(tour.stack.output!.unused!.value).toEqual(['dynamodb', 'ec2', 'sqs']);
      const document = tour.stack.resource!.aws_iam_policy!.deployer_policy!.policy as string;
      expect(typeof document).toBe('string');
      for (const kept of ['s3:PutBucketPolicy', 'lambda:CreateFunction', 'iam:GetRole', 'iam:PassRole', 'ec2:DescribeImages']) {
        expect([kept, evaluateIdentityPolicies([document], kept)]).toEqual([kept, 'Allowed']);
      }
      for (const removed of ['dynamodb:GetItem', 'sqs:SendMessage']) expect([removed, evaluateIdentityPolicies([document], removed)]).toEqual([removed, 'ImplicitlyDenied']);
      // action level by default: s3:* kept as written, its unused tracked actions denied, untracked and newer ones kept
      const statements = [JSON.parse(document).Statement].flat() as { Effect: string; Action: string | string[] }[];
      expect(statements.some((s) => s.Effect === 'Allow' && [s.Action].flat().includes('s3:*'))).toBe(true);
      const denied = statements.filter((s) => s.Effect === 'Deny').flatMap((s) => [s.Action].flat());
      expect(denied.filter((a) => a.startsWith('s3:')).length).toBeGreaterThan(5);
      for (const kept of ['s3:GetObject', 's3:GetZzNewerThanCatalog']) expect([kept, evaluateIdentityPolicies([document], kept)]).toEqual([kept, 'Allowed']);
      expect(tour.stack.provider?.aws).toBeDefined();
    });

    it('section 2: with the tightened policy attached the gate passes ("no longer granted": dynamodb, sqs; ec2 accepted)', () => {
      expect(errorsOf(tour)).toEqual([]);
      const gate = tour.annotations.filter((a) => a.constructPath.endsWith('/deployer_gate'));
      expect(gate.map((a) => a.level)).toEqual(['@cdktf/info']);
      expect(gate[0]!.message).toMatch(new RegExp(`${ROLE} \\(window 90 days, [^)]*\\): no unused permissions$`, 'm'));
      // the default granularity (ACTION_LEVEL): the unused tracked actions of s3 and lambda, denied by the tightening
      const notGranted = /^no longer granted, so not violations \((\d+)\): dynamodb, (iam|lambda):/m.exec(gate[0]!.message);
      expect(Number(notGranted?.[1])).toBeGreaterThan(100);
      expect(gate[0]!.message).toMatch(/^ec2 .*AMI lookups for the twice-yearly base image rotation/m);
      expect(gate[0]!.message).toMatch(/^judged: the stack as it will be: aws_iam_role_policy_attachment\.deployer_policy_attachment -> aws_iam_policy\.deployer_policy \(TightenedPolicyDocument/m);
    });

    it('section 2: while the stack still attaches today\'s policy the synth fails on dynamodb and sqs, not on the excepted ec2', () => {
      const errors = errorsOf(today);
      expect(errors.map((a) => a.constructPath.split('/').pop())).toEqual(['deployer_gate']);
      const [violations, accepted] = errors[0]!.message.split(/^accepted exceptions \(1\):/m);
      expect(violations).toMatch(/^dynamodb\s+never\s+whole service/m);
      expect(violations).toMatch(/^sqs\s+never\s+whole service/m);
      // at the default granularity the unused tracked actions of the used s3 and lambda fail it too
      expect(violations).toMatch(/^s3\s+never\s+\d+ action\(s\): /m);
      expect(violations).toMatch(/^lambda\s+never\s+\d+ action\(s\): /m);
      expect(violations).not.toMatch(/^ec2\s/m);
      expect(accepted).toMatch(/^ec2\s.*AMI lookups for the twice-yearly base image rotation/m);
    });

    it('section 3: a plan-time report is a data source of the accessadvisor provider with the gate as its postcondition (nothing judged at synth)', () => {
      expect(tour.stack.data?.external).toBeUndefined();
      expect(Object.keys(tour.stack.data?.accessadvisor_service_last_accessed ?? {})).toEqual(['plan_usage']);
      const decisions = Object.entries(tour.stack.data?.accessadvisor_unused_permissions ?? {});
      expect(decisions.map(([name]) => name)).toEqual(['plan_gate']);
      const [, block] = decisions[0]!;
      expect(block.arn).toBe('${data.aws_iam_role.app_deployer.arn}');
      expect(block.exceptions).toEqual([{ permission: 'ec2', reason: 'image rotation' }]);
      const postconditions = (block.lifecycle as { postcondition?: { condition: string; error_message: string }[] }).postcondition!;
      expect(postconditions).toHaveLength(1);
      expect(postconditions[0]!.condition).toBe('${self.passed}');
      expect(postconditions[0]!.error_message).toMatch(/^LeastPrivilegeGate .*plan_gate: \$\{self\.summary\}\n\$\{self\.table\}\n/);
      expect(tour.stack.terraform?.required_providers?.accessadvisor).toEqual({ source: 'local.invalid/cdktf-access-advisor/accessadvisor' });
    });

    it('section 4: the SCP proposal denies cloudwatch, lambda and sns under the Workloads OU, keeps the excepted kms, and is not attached', () => {
      const policies = tour.stack.resource!.aws_organizations_policy!;
      expect(Object.keys(policies)).toEqual(['workloads_scp_proposal_0']);
      const content = JSON.parse(policies.workloads_scp_proposal_0!.content as string) as { Statement: { Effect: string; Action?: string[] }[] };
      const denied = content.Statement.filter((s) => s.Effect === 'Deny').flatMap((s) => s.Action ?? []);
      expect(denied.sort()).toEqual(['cloudwatch:*', 'lambda:*', 'sns:*']);
      expect(tour.stack.resource!.aws_organizations_policy_attachment).toBeUndefined();
    });
  });
});
