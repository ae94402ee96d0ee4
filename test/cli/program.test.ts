import { spawnSync } from 'node:child_process';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Command } from 'commander';
import { buildProgram, commandNamed } from '../../src/cli/program';
import { BUNDLED_COMMANDS, GLOBAL_OPTIONS_TAKING_VALUE } from '../../src/cli/command-word';
import { ROOT, ensureBuilt, runCli, tempDir } from './cli-harness';

// A run of one command registers (and loads the module of) that command alone: the cold start of a report does not
// pay for the ten others. Without a command named, every command is there, for the list, help and suggestions.
beforeAll(() => ensureBuilt(), 180_000);

const argv = (...words: string[]): string[] => ['node', 'access-advisor', ...words];
const names = (program: Command): string[] => program.commands.map((c) => c.name());

describe('commandNamed', () => {
  const program = buildProgram(argv('--help'));

  it.each([
    [['service-report', '--arn', 'x'], 'service-report'],
    [['--profile', 'gate', 'service-report'], 'service-report'],
    [['--endpoint-url', 'http://h', '--debug', 'tighten'], 'tighten'],
    [['--output=json', 'sweep', 'merge'], 'sweep'],
    [['--no-color', 'cache', 'list'], 'cache'],
  ])('%j runs %s', (words, expected) => {
    expect(commandNamed(argv(...words), program)).toBe(expected);
  });

  it.each([[[]], [['--help']], [['help', 'gate']], [['servce-report']], [['--profile', 'gate']], [['--', 'gate']]])('%j names no command', (words) => {
    expect(commandNamed(argv(...words), program)).toBeUndefined();
  });
});

describe('the CLI entry (command-word.ts)', () => {
  it('knows exactly the global options that take a value, as the program declares them', () => {
    const program = buildProgram(argv('--help'));
    const declared = program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
    expect([...GLOBAL_OPTIONS_TAKING_VALUE].sort()).toEqual(declared.sort());
  });

  it('bundles only commands that exist', () => {
    const all = names(buildProgram(argv('--help')));
    for (const name of BUNDLED_COMMANDS) expect(all).toContain(name);
  });
});

describe('buildProgram', () => {
  it('registers every command when none is named, in the order of the help', () => {
    expect(names(buildProgram(argv('--help')))).toEqual([
      'service-report',
      'org-report',
      'policies-granting',
      'gate',
      'tighten',
      'scp-proposal',
      'sweep',
      'cache',
      'external',
      'emulator',
      'provider',
    ]);
  });

  it('registers the named command alone', () => {
    expect(names(buildProgram(argv('--profile', 'gate', 'service-report', '--arn', 'x')))).toEqual(['service-report']);
  });
});

describe('the built CLI', () => {
  /** The files under dist/ a run of the built CLI loaded through node's module loader. */
  function distModules(...args: string[]): string[] {
    const probe = join(tempDir(), 'probe.js');
    writeFileSync(probe, "process.on('exit', () => require('fs').writeSync(2, '\\nMODULES ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));\n");
    const run = spawnSync(process.execPath, ['-r', probe, join(ROOT, 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const dist = join(ROOT, 'dist') + sep;
    return (JSON.parse(/MODULES (.*)/.exec(run.stderr)![1]!) as string[]).filter((m) => m.startsWith(dist)).map((m) => relative(dist, m));
  }

  it('runs a report command from its one-file bundle: no other module of dist/ is loaded', () => {
    expect(distModules('service-report', '--help').sort()).toEqual(['cli/command-word.js', 'cli/main.js', 'cli/report-cli.js', 'iam/enable-compile-cache.js']);
    expect(distModules('--profile', 'p', 'org-report', '--help')).toContain('cli/report-cli.js');
  });

  it('runs a report command from dist/ file by file when dist/ was built again after the bundle (a bare tsc)', () => {
    const bundle = join(ROOT, 'dist', 'cli', 'report-cli.js');
    const { atime, mtime } = statSync(bundle);
    const older = new Date(statSync(join(ROOT, 'dist', 'cli', 'run.js')).mtimeMs - 60_000);
    utimesSync(bundle, older, older);
    try {
      const modules = distModules('service-report', '--help');
      expect(modules).toContain('cli/run.js');
      expect(modules).toContain('cli/commands/service-report.js');
      expect(modules).not.toContain('cli/report-cli.js');
    } finally {
      utimesSync(bundle, atime, mtime);
    }
  });

  it('does not load the modules of other commands, nor the report bundle, for another command', () => {
    const modules = distModules('gate', '--help');
    expect(modules.filter((m) => m.startsWith(join('cli', 'commands')))).toEqual([join('cli', 'commands', 'gate.js')]);
    expect(modules).not.toContain('cli/report-cli.js');
  });

  it('still suggests the command meant when a global option takes a command name as its value', async () => {
    const run = await runCli(['--profile', 'gate', 'servce-report']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'servce-report'\n\(Did you mean service-report\?\)/);
  });
});
