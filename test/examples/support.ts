import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import {
  runExampleSynth,
  synthExample,
  WORLD_FILE,
  type ExampleName,
  type SynthCli,
  type SynthOptions,
  type SynthResult,
  type SynthRun,
} from '../../scripts/example-harness';

/** The real CLI a user runs in an example directory: the cdktn CLI for the cdktn twin, cdktf's for the others. */
export function cliOf(example: ExampleName): SynthCli {
  return example.endsWith('-cdktn') ? 'cdktn' : 'cdktf';
}

/**
 * A Terraform CLI config that installs providers only from the machine's filesystem mirror (no registry, no
 * network). `terraform` reads it through TF_CLI_CONFIG_FILE: the cdktf/cdktn CLIs (which ask `terraform version`)
 * and the Terraform tier (test/examples/terraform.ts).
 */
export const TERRAFORM_PLUGIN_MIRROR = '/opt/tf-plugins';
export function writeTerraformConfig(file: string): string {
  writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path = "${TERRAFORM_PLUGIN_MIRROR}"\n  }\n  direct {\n    exclude = ["*/*/*"]\n  }\n}\n`,
  );
  return file;
}

/**
 * One emulator over examples/world.json with short jobs, and a scratch directory for outdirs and caches: the
 * examples are synthesized by the real CLI (`cdktf synth`; `cdktn synth` on Node 22 for the cdktn twin), each run
 * a fresh outdir, and nothing is written into the repository.
 */
export class ExampleWorld {
  emulator!: RunningEmulator;
  scratch!: string;
  terraformConfig!: string;
  private runs = 0;

  async start(): Promise<void> {
    this.scratch = mkdtempSync(join(tmpdir(), 'access-advisor-examples-'));
    this.terraformConfig = writeTerraformConfig(join(this.scratch, 'terraform.tfrc'));
    this.emulator = await startEmulator({ world: WORLD_FILE, jobs: { durationMs: 100 }, seed: 1 });
  }

  /**
   * A second emulator over the same world, for a test that applies: an apply changes the world's roles, which the
   * other tests read as the world file has them. The caller closes it.
   */
  freshEmulator(): Promise<RunningEmulator> {
    return startEmulator({ world: WORLD_FILE, jobs: { durationMs: 100 }, seed: 1 });
  }

  async stop(): Promise<void> {
    await this.emulator?.close();
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
  }

  /**
   * Synthesize with the example's real CLI, letting it write the stack despite a failing gate (the CLI still exits
   * non-zero then: see SynthResult.exitCode), with extra app context if given. A fresh outdir and cache per run:
   * every synth asks the emulator.
   */
  synth(example: ExampleName, context?: Record<string, unknown>): Promise<SynthResult> {
    return synthExample(example, this.options(example, { cli: cliOf(example), ...(context ? { context } : {}) }));
  }

  /** The real CLI's synth as a user runs it (no CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS): its exit and output. */
  synthAsUser(example: ExampleName, context?: Record<string, unknown>): Promise<SynthRun> {
    return runExampleSynth(example, this.options(example, { cli: cliOf(example), continueOnErrorAnnotations: false, ...(context ? { context } : {}) }));
  }

  /**
   * `synth --hcl` with the example's real CLI (the stack as HCL, cdk.tf): the run and the stack's directory (from the
   * manifest; undefined when the synth wrote none).
   */
  async synthHcl(example: ExampleName, context?: Record<string, unknown>): Promise<SynthRun & { stackDir?: string }> {
    const options = this.options(example, { cli: cliOf(example), hcl: true, ...(context ? { context } : {}) });
    const run = await runExampleSynth(example, options);
    const manifestPath = join(options.outdir, 'manifest.json');
    if (!existsSync(manifestPath)) return run;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { stacks: Record<string, { workingDirectory: string }> };
    const entry = Object.values(manifest.stacks)[0];
    return entry ? { ...run, stackDir: join(options.outdir, entry.workingDirectory) } : run;
  }

  private options(example: ExampleName, extra: Partial<SynthOptions>): SynthOptions {
    const run = ++this.runs;
    return {
      endpoint: this.emulator.endpoint,
      outdir: join(this.scratch, `${example}-${run}.out`),
      cacheFile: join(this.scratch, `${example}-${run}.context.json`),
      terraformConfig: this.terraformConfig,
      ...extra,
    };
  }
}

/** The actions an IAM policy document (JSON text) allows, as written. */
export function allowActions(policyJson: string): string[] {
  const doc = JSON.parse(policyJson) as { Statement: { Effect: string; Action?: string | string[] }[] };
  return doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (s.Action === undefined ? [] : [s.Action].flat()));
}
