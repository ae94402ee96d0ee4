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

  const result = (listed: readonly string[], accounts: SweepAccount[], index: number, count: number): SweepResult =>
    ({
      kind: 'access-advisor-sweep',
      schemaVersion: 1,
      generatedAt: '2026-11-28T00:00:00.000Z',
      request: { source: 'organization', roleName: 'R', principalKinds: ['role'], includeServiceLinkedRoles: false, granularity: 'ACTION_LEVEL' },
      shard: { index, count },
      accountsListed: [...listed].sort(),
      accounts,
      totals: {} as never,
    }) as SweepResult;
  const shardsOf = (list: readonly string[], count: number) =>
    Array.from({ length: count }, (_, i) => ({
      source: `s${i + 1}`,
      result: result(list, shardAccounts(list.map((id) => ({ id })), { index: i + 1, count }).map((a) => ({ accountId: a.id, status: 'ok' as const, principals: [] })), i + 1, count),
    }));

  it('merging the shards of any split gives back every account once, sorted', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 6 }), (list, count) => {
        const parts = shardsOf(list, count);
        const merged = mergeSweepResults(parts.reverse());
        expect(merged.accounts.map((a) => a.accountId)).toEqual([...list].sort());
        expect(merged.totals.accounts).toBe(list.length);
        expect(merged.shard).toBeUndefined();
      }),
    );
  });

  it('refuses shards that listed different accounts, naming the accounts that differ', () => {
    fc.assert(
      fc.property(ids.filter((l) => l.length >= 2), fc.integer({ min: 2, max: 5 }), fc.nat(), (list, count, pick) => {
        const dropped = list[pick % list.length]!;
        // Shard 1 was made from a listing without one account: the others still have it.
        const parts = shardsOf(list, count);
        const short = list.filter((id) => id !== dropped);
        parts[0] = shardsOf(short, count)[0]!;
        expect(() => mergeSweepResults(parts)).toThrow(new RegExp(`s2: accountsListed: \\["${dropped}"\\] is not allowed; expected the account list of every other shard`));
      }),
    );
  });

  it('refuses a shard that swept an account not its own, or left one of its own out (an account covered by nobody)', () => {
    const list = ['111111111111', '222222222222', '333333333333', '444444444444'];
    const parts = shardsOf(list, 2);
    const [first, second] = parts as [(typeof parts)[0], (typeof parts)[0]];
    const dropped = { ...first, result: { ...first.result, accounts: first.result.accounts.slice(1) } };
    expect(() => mergeSweepResults([dropped, second])).toThrow(/s1: accounts: \["111111111111"\].*exactly the accounts of shard 1\/2/);
    const moved = { ...second, result: { ...second.result, accounts: [...second.result.accounts, first.result.accounts[0]!] } };
    expect(() => mergeSweepResults([dropped, moved])).toThrow(/accounts/);
    expect(() => mergeSweepResults([first])).toThrow(/missing 2\/2, so no shard swept 222222222222, 444444444444/);
    const old = { ...first, result: { ...first.result, accountsListed: undefined } } as unknown as (typeof parts)[0];
    expect(() => mergeSweepResults([old, second])).toThrow(/s1: accountsListed/);
    expect(mergeSweepResults([second, first]).accountsListed).toEqual(list);
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
