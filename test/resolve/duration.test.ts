import { formatAge, parseDuration } from '../../src/resolve/duration';
import { InvalidRequestError } from '../../src/model/errors';

describe('durations', () => {
  test.each([
    [0, 0],
    [1500, 1500],
    ['1d', 86_400_000],
    ['12h', 43_200_000],
    ['30m', 1_800_000],
    ['45s', 45_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
  ])('%p → %p ms', (input, ms) => {
    expect(parseDuration('maxAge', input)).toBe(ms);
  });

  test.each([['1 day'], ['1D'], ['d'], [''], ['-1h'], [-5], [Number.NaN], [Infinity]])('%p is refused, naming field and value', (input) => {
    expect(() => parseDuration('maxAge', input as never)).toThrow(InvalidRequestError);
    expect(() => parseDuration('maxAge', input as never)).toThrow(`maxAge: ${JSON.stringify(input)} is not allowed`);
  });

  test('ages read well', () => {
    expect(formatAge(5_000)).toBe('5s');
    expect(formatAge(3 * 3_600_000 + 60_000)).toBe('3h 1m');
    expect(formatAge(3 * 86_400_000)).toBe('3d');
  });
});
