import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { annotationsOf, emulatorEnvironment, exampleDir, outputOf, REPO_ROOT, type SynthResult } from '../../scripts/example-harness';
import { tierRan } from '../tiers';
import { ExampleWorld } from './support';
import { describeTerraform, synthesizedOutputs, terraformPlan, type TerraformPlan } from './terraform';

// Hand-derived from examples/world.json: carol (/engineering/, created 400 days ago) may use lambda, logs, xray and
// cloudwatch:GetMetricData and used lambda (12 d) and logs (25 d) only → unused cloudwatch, xray. The interns group
// (alice, bob) may use s3, cloudwatch, logs, dynamodb through intern-boundary and its members used all but logs →
// unused logs. The committed baseline accepts exactly these.
const CAROL = 'arn:aws:iam::123456789012:user/engineering/carol';
const INTERNS = 'arn:aws:iam::123456789012:group/interns';
const DIR = exampleDir('ci-drift-ratchet');

const world = new ExampleWorld();
let committed: SynthResult;
let modifiedBaseline: string;

beforeAll(async () => {
  await world.start();
  // The committed baseline with xray no longer accepted for carol: xray becomes a *new* unused permission.
  const baseline = JSON.parse(readFileSync(join(DIR, 'access-baseline.json'), 'utf8')) as { principals: Record<string, { unused: string[] }> };
  baseline.principals[CAROL]!.unused = baseline.principals[CAROL]!.unused.filter((p) => p !== 'xray');
  mkdirSync(join(world.scratch, 'modified'));
  modifiedBaseline = join(world.scratch, 'modified', 'access-baseline.json');
  writeFileSync(modifiedBaseline, JSON.stringify(baseline, null, 2));
  committed = await world.synth('ci-drift-ratchet'); // the real `cdktf synth`
}, 600_000);
afterAll(async () => {
  await world.stop();
  tierRan('cdktf-cli', 'cdktf synth of examples/ci-drift-ratchet');
});

describe('examples/ci-drift-ratchet: PolicyDriftCheck', () => {
  it('the committed baseline is what the evidence says today', () => {
    const baseline = JSON.parse(readFileSync(join(DIR, 'access-baseline.json'), 'utf8')) as { principals: Record<string, { unused: string[] }> };
    expect(Object.keys(baseline.principals).sort()).toEqual([INTERNS, CAROL]);
    expect(baseline.principals[CAROL]!.unused).toEqual(['cloudwatch', 'xray']);
    expect(baseline.principals[INTERNS]!.unused).toEqual(['logs']);
  });

  it('passes with the committed baseline: every unused permission is accepted, none is new', () => {
    expect(outputOf(committed, 'carol_drift_passed')).toBe(true);
    expect(outputOf(committed, 'carol_unused_accepted')).toEqual(['cloudwatch', 'xray']);
    expect(outputOf(committed, 'carol_unused_new')).toEqual([]);
    expect(outputOf(committed, 'interns_drift_passed')).toBe(true);
    expect(outputOf(committed, 'interns_unused_accepted')).toEqual(['logs']);
    expect(committed.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });

  it('fails on the one new unused permission when the baseline no longer accepts it, naming the accept command', async () => {
    const drifted = await world.synth('ci-drift-ratchet', { baselineFile: modifiedBaseline });
    expect(outputOf(drifted, 'carol_drift_passed')).toBe(false);
    expect(outputOf(drifted, 'carol_unused_new')).toEqual(['xray']);
    expect(outputOf(drifted, 'carol_unused_accepted')).toEqual(['cloudwatch']);
    expect(outputOf(drifted, 'interns_drift_passed')).toBe(true);
    const errors = annotationsOf(drifted, 'carol_drift').filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`1 new unused permission(s) of ${CAROL}`);
    expect(errors[0]!.message).toMatch(/^ {2}xray: /m);
    expect(errors[0]!.message).toContain(`access-advisor gate --arn ${CAROL} --granularity SERVICE_LEVEL --unused-after-days 90 --baseline ${modifiedBaseline} --accept`);
    expect(drifted.annotations.filter((a) => a.level === 'error').map((a) => a.constructPath)).toEqual(['ci-drift-ratchet/carol_drift']);
  });
});

describe('examples/ci-drift-ratchet: the GitHub workflow', () => {
  interface Step { name?: string; run?: string; uses?: string }
  const workflow = parse(readFileSync(join(DIR, '.github/workflows/least-privilege.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const gateStep = steps.find((s) => s.run?.includes('access-advisor gate'));

  /** The step's script as the runner would run it, with the package's own binary for `npx access-advisor`. */
  function runGateStep(cwd: string): Promise<{ code: number | null; summary: string; stderr: string }> {
    const summaryFile = join(world.scratch, `summary-${Math.random().toString(36).slice(2)}.md`);
    writeFileSync(summaryFile, '');
    const script = gateStep!.run!.replaceAll('npx access-advisor', `"${process.execPath}" "${join(REPO_ROOT, 'dist/cli/main.js')}"`);
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-e', '-c', script], {
        cwd,
        env: emulatorEnvironment(world.emulator.endpoint, { GITHUB_STEP_SUMMARY: summaryFile }),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, summary: readFileSync(summaryFile, 'utf8'), stderr }));
    });
  }

  it('synthesizes (running the drift checks) and posts the CLI gate with the same baseline to the job summary', () => {
    expect(steps.some((s) => s.run?.trim() === 'npx cdktf synth')).toBe(true);
    expect(gateStep?.run).toContain('--baseline access-baseline.json');
    expect(gateStep?.run).toContain('--output markdown >> "$GITHUB_STEP_SUMMARY"');
  });

  it('the gate step passes in the example directory with the committed baseline', async () => {
    const run = await runGateStep(DIR);
    expect(run.code).toBe(0);
    expect(run.summary).toContain('gate passed');
    expect(run.summary).toContain(CAROL);
    expect(run.summary).toContain(INTERNS);
  });

  it('the gate step fails (exit 1) with the modified baseline and names the new unused service', async () => {
    const run = await runGateStep(join(world.scratch, 'modified'));
    expect(run.code).toBe(1);
    expect(run.summary).toContain('gate failed');
    expect(run.summary).toMatch(/\| xray \| whole service \| never \|/);
  });
});

describeTerraform('ci-drift-ratchet', () => {
  let plan: TerraformPlan;
  beforeAll(async () => {
    plan = await terraformPlan(world, committed);
  }, 600_000);

  it('validates, and plans the checks\' verdicts as the literals the synth decided', () => {
    expect(plan.validate).toMatch(/configuration is valid/);
    expect(plan.outputs).toEqual(synthesizedOutputs(committed));
    expect(plan.outputs.carol_drift_passed).toBe(true);
    expect(plan.outputs.carol_unused_accepted).toEqual(['cloudwatch', 'xray']);
    expect(plan.outputs.interns_unused_accepted).toEqual(['logs']);
    expect(plan.after['aws_iam_user.carol']).toMatchObject({ name: 'carol', path: '/engineering/' });
  });
});
