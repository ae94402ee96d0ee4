import fc from 'fast-check';
import { globToRegExp, mergeSweepResults, parseShard, shardAccounts, type SweepAccount, type SweepResult } from '../../src';

const accountId = fc.stringMatching(/^\d{12}$/);
const ids = fc.uniqueArray(accountId, { minLength: 0, maxLength: 40 });

describe('shards', () => {
  it('N shards are disjoint, cover every account, and differ in size by at most one (any order of input)', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 12 }), fc.integer(), (list, count, seed) => {
        const shuffled = [...list].sort((a, b) => ((a.charCodeAt(seed & 7) ^ seed) - (b.charCodeAt(seed & 7) ^ seed)) || (a < b ? -1 : 1));
        const parts = Array.from({ length: count }, (_, i) => shardAccounts(shuffled.map((id) => ({ id })), { index: i + 1, count }).map((a) => a.id));
        const all = parts.flat();
        expect(new Set(all).size).toBe(all.length);
        expect([...all].sort()).toEqual([...list].sort());
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        // The same input in another order gives every shard the same accounts.
        expect(parts[0]).toEqual(shardAccounts(list.map((id) => ({ id })), { index: 1, count }).map((a) => a.id));
      }),
    );
  });

  it('merging the shards of any split gives back every account once, sorted', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 6 }), (list, count) => {
        const result = (accounts: SweepAccount[], index: number): SweepResult =>
          ({
            kind: 'access-advisor-sweep',
            schemaVersion: 1,
            generatedAt: '2026-11-28T00:00:00.000Z',
            request: { source: 'organization', roleName: 'R', principalKinds: ['role'], includeServiceLinkedRoles: false, granularity: 'ACTION_LEVEL' },
            shard: { index, count },
            accounts,
            totals: {} as never,
          }) as SweepResult;
        const parts = Array.from({ length: count }, (_, i) => ({
          source: `s${i + 1}`,
          result: result(shardAccounts(list.map((id) => ({ id })), { index: i + 1, count }).map((a) => ({ accountId: a.id, status: 'ok' as const, principals: [] })), i + 1),
        }));
        const merged = mergeSweepResults(parts.reverse());
        expect(merged.accounts.map((a) => a.accountId)).toEqual([...list].sort());
        expect(merged.totals.accounts).toBe(list.length);
        expect(merged.shard).toBeUndefined();
      }),
    );
  });

  it('--shard accepts only I/N with 1 ≤ I ≤ N ≤ 1000', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/2', '3/2', '1/0', '1/1001', '1', '1/2/3', 'a/b', '-1/2', '1.5/2', '']) {
      expect(() => parseShard(bad)).toThrow(/shard/);
    }
  });
});

describe('name globs', () => {
  it('match literally except * and ? (regex characters in names are not patterns)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[*?]/.test(s)), (name) => {
        expect(globToRegExp(name).test(name)).toBe(true);
        expect(globToRegExp(name).test(`${name}x`)).toBe(false);
        expect(globToRegExp(`${name}*`).test(`${name}-anything`)).toBe(true);
      }),
    );
    expect(globToRegExp('app.?-*').test('app.1-deployer')).toBe(true);
    expect(globToRegExp('app.?-*').test('appX1-deployer')).toBe(false);
    expect(() => globToRegExp('')).toThrow(/names/);
  });
});
