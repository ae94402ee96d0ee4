import * as fc from 'fast-check';
import { evaluateIdentityPolicies, grantChecker, type PolicyDocument } from '../../src/analysis';
import { duplicateKeyPath } from '../../src/analysis/policy-document';
import { matchesWildcard, patternCovers, patternsMayOverlap } from '../../src/analysis/wildcard';

// "Does this Deny pattern cover that Allow pattern?" takes a grant away when it says yes, so a yes must be true for
// every value; "may these overlap?" keeps a Deny NotResource from covering, so its no must be true for every value.
const ALPHABET = ['a', 'b', '/', '*', '?'];
const pattern = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 5 }).map((cs) => cs.join(''));
const value = fc.array(fc.constantFrom('a', 'b', '/', '*', '?', 'c'), { maxLength: 6 }).map((cs) => cs.join(''));

describe('patternCovers', () => {
  it('never says yes when some value matches the pattern but not the cover', () => {
    fc.assert(
      fc.property(pattern, pattern, fc.array(value, { maxLength: 40 }), (cover, p, values) => {
        if (!patternCovers(cover, p, false)) return;
        for (const v of values) if (matchesWildcard(p, v, false)) expect(matchesWildcard(cover, v, false)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads patterns as patterns, not as text', () => {
    expect(patternCovers('arn:b?', 'arn:b*', false)).toBe(false);
    expect(patternCovers('arn:b*', 'arn:b?', false)).toBe(true);
    expect(patternCovers('*', 'anything*?', false)).toBe(true);
    expect(patternCovers('arn:*/x', 'arn:a*/x', false)).toBe(true);
    expect(patternCovers('arn:?', 'arn:?', false)).toBe(true);
  });
});

describe('patternsMayOverlap', () => {
  it('never says no when some value matches both', () => {
    fc.assert(
      fc.property(pattern, pattern, fc.array(value, { maxLength: 40 }), (a, b, values) => {
        if (patternsMayOverlap(a, b)) return;
        for (const v of values) expect(matchesWildcard(a, v, false) && matchesWildcard(b, v, false)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('duplicateKeyPath', () => {
  it('names the first key an object holds twice, with its path', () => {
    expect(duplicateKeyPath('{"Statement":[{"Effect":"Allow"},{"Action":"a:b","Action":"c:d"}]}')).toEqual({ at: 'Statement[1].Action', key: 'Action' });
    expect(duplicateKeyPath('{"Version":"1","Version":"2"}')).toEqual({ at: 'Version', key: 'Version' });
    expect(duplicateKeyPath('[{"a":1},{"S":{"x":"\\"x\\"","\\u0078":2}}]')).toEqual({ at: '[1].S.x', key: 'x' });
  });

  it('the same key in different objects, and key-like strings in values, are not duplicates', () => {
    expect(duplicateKeyPath('{"Statement":[{"Action":"a:b"},{"Action":"a:c"}],"Id":"Action"}')).toBeUndefined();
    expect(duplicateKeyPath('{"a":["a","a"],"b":{"a":"a"}}')).toBeUndefined();
  });
});

describe('grantChecker over resource patterns', () => {
  // Small alphabets so that Allow and Deny patterns collide often: for every concrete request the exact evaluator
  // allows, the checker must still say "granted" (it may say so more often, never less).
  const resourcePattern = fc.array(fc.constantFrom('a', 'b', '*', '?'), { minLength: 1, maxLength: 4 }).map((cs) => `arn:x:${cs.join('')}`);
  const statement = fc.record({
    Effect: fc.constantFrom('Allow' as const, 'Deny' as const),
    Action: fc.constantFrom('svc:Do', 'svc:*', 'svc:D?'),
    resources: fc.array(resourcePattern, { minLength: 1, maxLength: 2 }),
    not: fc.boolean(),
  });
  const requests = ['a', 'b', 'ab', 'ba', 'aa', 'bb', 'aab', 'abab', 'b*', 'b?', ''].map((r) => `arn:x:${r}`);

  it('never says "not granted" when some concrete request is allowed', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 4 }), (raw) => {
        const document = {
          Version: '2012-10-17',
          Statement: raw.map((s) => ({ Effect: s.Effect, Action: s.Action, [s.not ? 'NotResource' : 'Resource']: s.resources })),
        } as unknown as PolicyDocument;
        const allowedSomewhere = requests.some((r) => evaluateIdentityPolicies([document], 'svc:Do', r) === 'Allowed');
        if (allowedSomewhere) {
          expect(grantChecker([document]).grantsAction('svc:Do')).toBe(true);
          expect(grantChecker([document]).grantsService('svc')).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
