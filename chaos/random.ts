import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** Seeded draws: the same seed gives the same operations and the same fault schedule. */
export class Rng {
  private readonly rng: RandomGenerator;
  constructor(seed: number) {
    // xoroshiro128+ seeded with neighbouring integers starts out correlated (operation n and n+1 drew
    // the same kind): the seed is mixed first (murmur3's finalizer) and the first draws dropped.
    this.rng = xoroshiro128plus(mix32(seed));
    for (let i = 0; i < 4; i++) this.rng.next();
  }
  /** Uniform in [0, 1). */
  next(): number { return uniformFloat64(this.rng); }
  /** An integer in [min, max]. */
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** A key of `weights`, drawn in proportion to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let draw = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, w] of entries) {
      if ((draw -= w) < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }
  hex(chars: number): string {
    let out = '';
    while (out.length < chars) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
}

/** murmur3's 32-bit finalizer: neighbouring inputs give unrelated outputs. */
function mix32(value: number): number {
  let h = (Math.floor(value) ^ Math.floor(value / 2 ** 32)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
