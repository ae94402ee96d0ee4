import { renderMarkdown, renderText, visible, type Doc } from '../../src/report/document';
import { formatResult } from '../../src/cli/output/render';

/** Raw control characters that must never reach output. */
const RAW = new RegExp(String.raw`[\u001b\u0007\r\u202e]`);

/** Report strings come from a server: an ESC would drive the reader's terminal, a bidi override hide text. */
const HOSTILE = 'Amazon S3\u001b[2J\u001b]0;pwned\u0007\r\u202eevil';

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
    const report = {
      schemaVersion: 1,
      kind: 'service-last-accessed',
      arn: 'arn:aws:iam::123456789012:role/r',
      granularity: 'SERVICE_LEVEL',
      withEntities: false,
      jobId: 'a1b2c3d4-0000-4000-8000-00000000beef',
      jobStatus: 'COMPLETED',
      jobCreationDate: '2026-11-01T10:00:00.000Z',
      jobCompletionDate: '2026-11-01T10:00:05.000Z',
      servicesLastAccessed: [{ serviceName: HOSTILE, serviceNamespace: 's3' }],
    };
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
