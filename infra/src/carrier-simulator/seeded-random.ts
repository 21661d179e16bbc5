import { createHash } from 'node:crypto';

/** A uniform number in [0, 1). */
export type Random = () => number;

/**
 * A small deterministic generator (mulberry32) seeded from any strings. Simulated delays come
 * from here so a run can be replayed from its seed; nothing here needs cryptographic quality.
 */
export function seededRandom(...parts: string[]): Random {
  let state = createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A uniform number in [min, max). */
export function between(random: Random, min: number, max: number): number {
  return min + random() * (max - min);
}
