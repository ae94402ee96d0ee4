/**
 * A small seeded PRNG (mulberry32): every random choice of the emulator (faults, latency, job durations, ids)
 * draws from one of these, so a given seed replays the same run.
 */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  /** A UUID-shaped id (36 characters, like IAM's JobId and RequestId). */
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${'89ab'[Math.floor(this.next() * 4)]}${this.hex(3)}-${this.hex(12)}`;
  }
}

/** Derives independent streams from one seed so that, e.g., ids do not shift when a fault rate changes. */
export function deriveSeed(seed: number, stream: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const c of stream) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export function pickMs(value: number | { min: number; max: number }, random: SeededRandom): number {
  if (typeof value === 'number') return value;
  const lo = Math.min(value.min, value.max);
  const hi = Math.max(value.min, value.max);
  return lo + random.next() * (hi - lo);
}
