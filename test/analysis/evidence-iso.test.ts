import fc from 'fast-check';
import { iso } from '../../src/analysis/evidence';

// iso() formats from the UTC fields (Date.prototype.toISOString sets up the local time zone on its first call); it
// must give exactly what toISOString gives, and refuse what it refuses.
describe('iso', () => {
  const MAX = 8.64e15; // the ECMAScript time value range

  it('equals toISOString over the whole time range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), (t) => {
        const d = new Date(t);
        expect(iso(d)).toBe(d.toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it('equals toISOString at the edges of the four-digit years and of each field', () => {
    const edges = [
      '0000-01-01T00:00:00.000Z',
      '0001-02-03T04:05:06.007Z',
      '0999-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2024-02-29T12:34:56.789Z',
      '9999-12-31T23:59:59.999Z',
    ].map((s) => Date.parse(s));
    for (const t of [...edges, edges[0]! - 1, edges[edges.length - 1]! + 1, -MAX, MAX, 0, -1]) {
      const d = new Date(t);
      expect(iso(d)).toBe(d.toISOString());
    }
    expect(iso(new Date(Date.parse('9999-12-31T23:59:59.999Z') + 1))).toBe('+010000-01-01T00:00:00.000Z');
    expect(iso(new Date(Date.parse('0000-01-01T00:00:00.000Z') - 1))).toBe('-000001-12-31T23:59:59.999Z');
  });

  it('throws RangeError for an invalid date, as toISOString does', () => {
    expect(() => iso(new Date(Number.NaN))).toThrow(RangeError);
  });
});
