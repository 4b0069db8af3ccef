/**
 * Seeded randomness for everything that must repeat exactly from a seed: the chaos run's plan and
 * the fault layer's decisions.
 */

/** A small, fast, seedable generator (mulberry32): the same seed always gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A generator of its own for each named stream under one seed (FNV-1a of the name, mixed into the
 * seed), so that what one stream draws never shifts another: the n-th call of an operation gets
 * the same decision however the calls of other operations interleave with it.
 */
export function seededStream(seed: number, name: string): () => number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return seededRandom((seed ^ hash) >>> 0);
}
