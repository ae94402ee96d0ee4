import { renderMarkdown, renderText, visible, type Doc } from '../../src/report/document';
import { formatResult } from '../../src/cli/output/render';
import { formatViolationsTable } from '../../src/analysis/format';
import { findUnusedPermissions } from '../../src/analysis/unused';
import type { ServiceLastAccessedReport } from '../../src/model/report';

/** Raw control characters that must never reach output. */
const RAW = new RegExp(String.raw`[\u001b\u0007\r\u202e]`);

/** Report strings come from a server: an ESC would drive the reader's terminal, a bidi override hide text. */
const HOSTILE = 'Amazon S3\u001b[2J\u001b]0;pwned\u0007\r\u202eevil';

/** A completed service report whose one service carries the given name, as an IAM answer could. */
function reportWithService(serviceName: string, serviceNamespace = 's3'): ServiceLastAccessedReport {
  return {
    schemaVersion: 1,
    kind: 'service-last-accessed',
    arn: 'arn:aws:iam::123456789012:role/r',
    granularity: 'SERVICE_LEVEL',
    withEntities: false,
    jobId: 'a1b2c3d4-0000-4000-8000-00000000beef',
    jobStatus: 'COMPLETED',
    jobCreationDate: '2026-11-01T10:00:00.000Z',
    jobCompletionDate: '2026-11-01T10:00:05.000Z',
    servicesLastAccessed: [{ serviceName, serviceNamespace }],
  };
}

describe('control characters in tables and markdown', () => {
  const doc: Doc = {
    title: `Report ${HOSTILE}`,
    sections: [{ title: HOSTILE, lines: [HOSTILE], table: { columns: ['Service'], rows: [[HOSTILE]] } }],
  };

  it.each([
    ['table', renderText([doc])],
    ['markdown', renderMarkdown([doc])],
  ])('%s: no raw ESC, BEL, CR or bidi override; shown as visible escapes', (_format, out) => {
    expect(out).not.toMatch(RAW);
    expect(out).toContain('\\x1b[2J');
    expect(out).toContain('\\u202e');
  });

  it('a whole service report rendered as a table', () => {
    const report = reportWithService(HOSTILE);
    for (const format of ['table', 'markdown'] as const) {
      const out = formatResult(report, format);
      expect(out).toContain('s3');
      expect(out).not.toMatch(RAW);
    }
  });

  it('ordinary text is unchanged', () => {
    expect(visible('Amazon S3 — ünïcode ✅ tab\tok')).toBe('Amazon S3 — ünïcode ✅ tab\tok');
  });
});

describe('line breaks in names cannot forge a line', () => {
  const FORGED = '✅ access-advisor gate passed';
  const BREAKS = ['\n', '\r\n', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c'];

  it.each(BREAKS.map((b) => [JSON.stringify(b), b]))('%s in a service name: every format keeps it on its line', (_name, brk) => {
    const report = reportWithService(`Amazon S3${brk}${FORGED}`);
    for (const format of ['table', 'markdown'] as const) {
      const out = formatResult(report, format);
      // eslint-disable-next-line no-control-regex -- splitting at every line break a terminal or browser honours
      const lines = out.split(/\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/);
      expect(lines.some((l) => l.trim().replace(/^[-|#>*\s]+/, '').startsWith(FORGED))).toBe(false);
      expect(out).toContain(FORGED); // still shown, on the line of its name
    }
  });

  it('the violations table of gate messages and synth annotations escapes them too', () => {
    const unused = findUnusedPermissions(
      { ...reportWithService(`EC2\n${FORGED}`, 'ec2'), principalCreateDate: '2020-01-01T00:00:00.000Z' },
      { now: '2026-11-01T10:00:05.000Z', allow: [{ permission: 'sqs', reason: `ok\u2028${FORGED}` }] },
    );
    const text = formatViolationsTable(unused);
    expect(text).toContain(FORGED);
    for (const line of text.split(/[\n\u2028\u2029]/)) expect(line.trimStart().startsWith(FORGED)).toBe(false);
  });
});
