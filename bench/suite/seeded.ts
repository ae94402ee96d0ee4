import { SeededRandom } from '../../src/emulator/rng';

/** A seeded uniform [0, 1) generator (the emulator's mulberry32), for the strategies' own randomness. */
export function seededRandom(seed: number): () => number {
  const rng = new SeededRandom(seed);
  return () => rng.next();
}

/**
 * Runs `work` with Math.random replaced by a seeded generator, so the jitter inside the SDK's retry backoff and the
 * engine's poll schedule repeats from one bench run to the next. Restored afterwards.
 */
export async function withSeededMathRandom<T>(seed: number, work: () => Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = seededRandom(seed);
  try {
    return await work();
  } finally {
    Math.random = original;
  }
}
