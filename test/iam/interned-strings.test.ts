import { interned, lowerCased } from '../../src/iam/interned-strings';

describe('interned strings are equal to what was read', () => {
  it('gives back every string exactly: short, long, non-ASCII, lone surrogates, empty', () => {
    const page = `<x>${'GetContainerizationJobDetails'}</x><y>é😀\ud800tail-of-thirteen+</y>${'a'.repeat(300)}`;
    const values = [page.slice(3, 32), page.slice(39, 62), page.slice(66), '', 'ab', 'x'.repeat(128), 'x'.repeat(129)];
    for (const v of values) {
      expect(interned(v)).toBe(v);
      expect(interned(v).length).toBe(v.length);
    }
  });

  it('lower-cases as toLowerCase does, including non-ASCII', () => {
    for (const v of ['GetObject', 'ÉTÉ', 'İstanbul', 'already-lower', 'ΣΑΣ']) expect(lowerCased(v)).toBe(v.toLowerCase());
    expect(lowerCased('GetObject')).toBe(lowerCased('GetObject'));
  });
});
