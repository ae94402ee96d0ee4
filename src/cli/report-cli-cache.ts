import { BUNDLED_COMMANDS, firstCommandWord } from './command-word';

/** The options that end a run before any report is asked for: their runs compile little of the bundle. */
const STOPS_EARLY = new Set(['-h', '--help', '--version']);

/**
 * How the launcher of the report commands' bundles (dist/cli/report-cli.js, scripts/bundle-cli.js) keeps its code
 * cache: one per command (a service-report and an org-report run different code), written only by a run that
 * reported, exit 0, without --help or --version. The cache is written once and used as it is from then on, and the
 * first run after a build is often a test's usage error: a cache written then held the program's start alone, and
 * every report after it compiled the engine and the AWS SDK from their text (Node 20: 370 ms of CPU a report
 * instead of 330 ms file by file).
 */
export function reportCliCacheOptions(argv: readonly string[]): { variant: string; saveAtExitIf: (exitCode: number) => boolean } {
  const end = argv.indexOf('--');
  const options = end < 0 ? argv : argv.slice(0, end);
  const stopsEarly = options.some((word) => STOPS_EARLY.has(word));
  return {
    variant: firstCommandWord(argv) ?? '',
    saveAtExitIf: (exitCode) => exitCode === 0 && !stopsEarly,
  };
}

/** The payload of one bundled command, beside the launcher (scripts/bundle-cli.js builds one per command). */
export function reportCliPayloadName(command: string): string {
  return `report-cli.${command}.payload.js`;
}

/**
 * The payload a run of the launcher compiles: the one of its command, which holds the program with that command
 * alone (a service-report reads, hashes and compiles neither the Organizations client of org-report nor the second
 * copy of the SDK's core that client brings). The CLI's entry sends only the bundled commands here; anything else
 * gets the first command's payload, whose program refuses the other commands as not bundled.
 */
export function reportCliPayload(argv: readonly string[]): string {
  const word = firstCommandWord(argv);
  return reportCliPayloadName(word !== undefined && BUNDLED_COMMANDS.has(word) ? word : [...BUNDLED_COMMANDS][0]!);
}
