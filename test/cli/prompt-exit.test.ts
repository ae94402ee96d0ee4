import { endsWithItsAction } from '../../src/cli/prompt-exit';

// run.ts ends the process as soon as these commands' actions settle (process.exit after stdout and stderr are
// flushed); every other command ends the usual way, when nothing is left running.
const argv = (...words: string[]): string[] => ['node', 'main.js', ...words];

describe('endsWithItsAction', () => {
  it('holds for the report commands, wherever their word stands after global options', () => {
    expect(endsWithItsAction(argv('service-report', '--arn', 'x'))).toBe(true);
    expect(endsWithItsAction(argv('--profile', 'org-report', 'policies-granting', '--arn', 'x'))).toBe(true);
    expect(endsWithItsAction(argv('--debug', 'org-report', '--entity-path', 'o-1/r-1'))).toBe(true);
  });

  it('never holds for a command that may keep the process alive on purpose (emulator serves until stopped), nor for other lines', () => {
    for (const line of [argv('emulator', '--port', '0'), argv('provider'), argv('gate'), argv(), argv('--', 'service-report'), argv('--region', 'service-report')]) {
      expect(endsWithItsAction(line)).toBe(false);
    }
  });
});
