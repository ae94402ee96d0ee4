/**
 * Which command a command line runs, decided before anything is loaded: the CLI's entry (main.ts) reads it to choose
 * between the one-file bundle of the report commands and the full program, and the program (program.ts) to register
 * the named command alone. No commander here: it must cost nothing.
 */

/**
 * The global options that take a value (`--profile prod gate …` runs gate, not prod). program.ts declares them;
 * test/cli/program.test.ts checks that this list is exactly what the program declares.
 */
export const GLOBAL_OPTIONS_TAKING_VALUE: ReadonlySet<string> = new Set([
  '--profile',
  '--region',
  '--endpoint-url',
  '--role-arn',
  '--output',
  '--out',
  '--query',
  '--job-id',
  '--timeout',
  '--max-attempts',
]);

/**
 * The commands the build also bundles, with everything they load (commander, the engine, the AWS SDK), into one
 * code-cached file (scripts/bundle-cli.js): the cold start of a report is most of what a user waits for beyond the
 * job. Every other command runs from dist/ file by file.
 */
export const BUNDLED_COMMANDS: ReadonlySet<string> = new Set(['service-report', 'org-report', 'policies-granting']);

/**
 * The first word of `argv` (after node and the script) that is neither an option nor the value of a global option
 * taking one; undefined when there is none or `--` comes first. Whether it names a command is the caller's question.
 */
export function firstCommandWord(argv: readonly string[], takingValue: ReadonlySet<string> = GLOBAL_OPTIONS_TAKING_VALUE): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return undefined;
    if (word.startsWith('-')) {
      if (takingValue.has(word)) i++;
      continue;
    }
    return word;
  }
  return undefined;
}
