/** A seeded PRNG (mulberry32) and the draws the simulator makes from it: the same seed, the same world. */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** A uniform double in [lo, hi). */
export function randomBetween(random: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}

/** Fisher–Yates, in place; returns the array. */
export function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** `k` distinct indexes of [0, n), in draw order. */
export function sample(random: Random, n: number, k: number): number[] {
  return shuffle(random, [...Array(n).keys()]).slice(0, Math.min(k, n));
}
