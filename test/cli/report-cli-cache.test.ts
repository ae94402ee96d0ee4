import { reportCliCacheOptions, reportCliPayload } from '../../src/cli/report-cli-cache';

// The launcher of the report commands' bundles (dist/cli/report-cli.js) decides from the command line alone which
// payload it compiles and which code cache it keeps.
const argv = (...words: string[]): string[] => ['node', 'report-cli.js', ...words];

describe('reportCliPayload', () => {
  it('is the payload of the command the line runs, after global options and their values', () => {
    expect(reportCliPayload(argv('service-report', '--arn', 'x'))).toBe('report-cli.service-report.payload.js');
    expect(reportCliPayload(argv('--profile', 'org-report', 'policies-granting', '--arn', 'x'))).toBe('report-cli.policies-granting.payload.js');
    expect(reportCliPayload(argv('--debug', 'org-report'))).toBe('report-cli.org-report.payload.js');
  });

  it('is never named by other words of the line: anything else gets the first command\'s payload (which refuses it)', () => {
    for (const line of [argv('gate'), argv('../../x'), argv(), argv('--', 'org-report'), argv('--region', 'service-report')]) {
      expect(reportCliPayload(line)).toBe('report-cli.service-report.payload.js');
    }
  });
});

describe('reportCliCacheOptions', () => {
  it('keeps a cache per command, written only by a run that reported without --help or --version', () => {
    const report = reportCliCacheOptions(argv('service-report', '--arn', 'x'));
    expect(report.variant).toBe('service-report');
    expect([report.saveAtExitIf(0), report.saveAtExitIf(2)]).toEqual([true, false]);
    expect(reportCliCacheOptions(argv('org-report', '--help')).saveAtExitIf(0)).toBe(false);
    expect(reportCliCacheOptions(argv('org-report', '--', '--help')).saveAtExitIf(0)).toBe(true);
  });
});
