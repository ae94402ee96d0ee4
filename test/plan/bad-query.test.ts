import { runExternalProgram } from '../../src/resolve/external-program';

/** The plan-time program's bad queries: exit 2, one stderr line naming the key and the value, nothing on stdout. */
const CASES: [string, Record<string, string>, RegExp][] = [
  ['empty path segment in arn', { arn: 'arn:aws:iam::123456789012:role//x' }, /arn.*role\/\/x/],
  ['OU without id', { entity_path: 'o-a1b2c3d4e5/r-c3xb/ou-' }, /entity_path|entityPath.*not an OU id/],
  ['short account', { entity_path: 'o-a1b2c3d4e5/r-c3xb/12345' }, /not a 12-digit account id/],
  ['empty entity path segment', { entity_path: 'o-a1b2c3d4e5/r-c3xb//ou-c3xb-lmu7j2yg' }, /segment 3 is empty/],
  ['endpoint that is not a URL', { arn: 'arn:aws:iam::123456789012:role/r', endpoint: 'localhost' }, /endpoint/],
  ['unknown key', { arn: 'arn:aws:iam::123456789012:role/r', color: 'blue' }, /unknown query key "color"/],
];

describe('plan-time program: bad queries', () => {
  it.each(CASES)('%s', async (_name, query, message) => {
    const outcome = await runExternalProgram(JSON.stringify(query), { env: {} });
    expect(outcome.errorKind).toBe('input');
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(outcome.stderr).toMatch(message);
  });
});
