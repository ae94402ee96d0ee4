import { renderMarkdown, renderText } from '../../src/report/document';
import { applyQuery, formatResult } from '../../src/cli/output/render';
import { collectException, parseArnList } from '../../src/cli/inputs';
import { errorLine } from '../../src/cli/subcommand';
import { InvalidRequestError, JobTimeoutError } from '../../src/model/errors';

describe('document renderers', () => {
  const doc = {
    title: 'T',
    sections: [{ title: 'S', table: { columns: ['a', 'b'], rows: [['x|y', 'line1\nline2'], ['<b>', '']] } }],
  };

  it('markdown escapes pipes, newlines and HTML inside cells', () => {
    const md = renderMarkdown([doc]);
    // A line break in a cell is a visible escape, not a rendered break: it could not even start a line inside a cell.
    expect(md).toContain('| x\\|y | line1\\x0aline2 |');
    expect(md).toContain('| &lt;b&gt; |  |');
    expect(md.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(4);
  });

  it('text tables pad every column to its widest cell', () => {
    const text = renderText([{ title: 'T', sections: [{ table: { columns: ['k', 'value'], rows: [['long-key', 'v']] } }] }]);
    const lines = text.split('\n').filter((l) => l.startsWith('|') || l.startsWith('+'));
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(text).toContain('| long-key | v     |');
  });
});

describe('results after --query', () => {
  it('arrays of objects become a table with the union of their keys', () => {
    const out = formatResult(applyQuery({ items: [{ a: 1 }, { b: 2 }] }, 'items'), 'markdown');
    expect(out).toContain('| a | b |');
    expect(out).toContain('| 1 |  |');
    expect(out).toContain('|  | 2 |');
  });

  it('yaml of a query result drops undefined like JSON does', () => {
    expect(formatResult({ a: undefined, b: 1 }, 'yaml')).toBe('b: 1\n');
  });
});

describe('inputs', () => {
  it('ARN lists ignore blank lines and # comments', () => {
    expect(parseArnList('# head\narn:a  # trailing\n\n  arn:b\r\n#arn:c\n')).toEqual(['arn:a', 'arn:b']);
  });

  it('--allow keeps the reason and splits at the first =', () => {
    expect(collectException('s3:Get*=reads a=b', undefined)).toEqual([{ permission: 's3:Get*', reason: 'reads a=b' }]);
    expect(() => collectException('=why', undefined)).toThrow(/PERMISSION=REASON/);
  });
});

describe('error lines', () => {
  it('name the flag of an invalid request field', () => {
    expect(errorLine(new InvalidRequestError('serviceNamespaces[1]', 'b@d', 'a namespace'))).toMatch(/^invalid --service: /);
  });

  it('tell how to resume a timed-out job', () => {
    const request = { kind: 'service-last-accessed', arn: 'arn:aws:iam::123456789012:role/r' } as const;
    expect(errorLine(new JobTimeoutError('j'.repeat(36), 1000, request))).toMatch(/\(resume: --job-id j{36}\)$/);
  });
});
