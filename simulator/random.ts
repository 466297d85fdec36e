/**
 * Seeded, dependency-free randomness for the simulator. Everything the simulator invents (tenant
 * contents, ids, fault decisions) comes from here, so the same seed always gives the same tenant and
 * the same fault sequence.
 */

/** 32-bit hash of any mix of strings and numbers (MurmurHash3-style mixing, stable across runs). */
export function hash32(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5 ^ parts.length;
  for (const part of parts) {
    const s = typeof part === 'number' ? `#${part}` : part;
    for (let i = 0; i < s.length; i++) {
      h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ 0x9e3779b9, 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform number in [0, 1) determined by `parts`. */
export function unit(...parts: readonly (string | number)[]): number {
  return hash32(...parts) / 4294967296;
}

/** Eight lowercase hex digits of an unsigned 32-bit number. */
export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * Bijection on [0, 2^32) keyed by `key`: distinct inputs give distinct outputs, so ids built from it
 * never collide while still looking random.
 */
export function scramble32(n: number, key: number): number {
  let x = (n ^ key) >>> 0;
  x = Math.imul(x, 0x9e3779b1) >>> 0; // odd multiplier: invertible mod 2^32
  x = (x ^ (x >>> 16)) >>> 0; // xorshift: invertible
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  return (x + key) >>> 0;
}

/** A version-4-shaped UUID derived from `parts` (not unique unless `parts` are). */
export function uuidFrom(...parts: readonly (string | number)[]): string {
  const a = hex8(hash32(...parts, 'a'));
  const b = hex8(hash32(...parts, 'b'));
  const c = hex8(hash32(...parts, 'c'));
  const d = hex8(hash32(...parts, 'd'));
  const variant = '89ab'[parseInt(c[0] ?? '0', 16) & 3] ?? '8';
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** Small fast seeded PRNG (mulberry32) with helpers. */
export class Rng {
  private state: number;

  constructor(seed: number | string) {
    this.state = typeof seed === 'number' ? hash32(seed) : hash32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick() from an empty array');
    return item;
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /**
   * `k` distinct integers from [0, n), ascending (Floyd's algorithm; picks the complement when
   * k > n/2 so the work stays O(min(k, n-k)) plus the output).
   */
  sample(n: number, k: number): Int32Array {
    const size = Math.max(0, Math.min(k, n));
    if (size === n) return Int32Array.from({ length: n }, (_, i) => i);
    const invert = size * 2 > n;
    const want = invert ? n - size : size;
    const chosen = new Set<number>();
    for (let j = n - want; j < n; j++) {
      const t = this.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    const out = new Int32Array(size);
    if (invert) {
      let o = 0;
      for (let i = 0; i < n; i++) if (!chosen.has(i)) out[o++] = i;
    } else {
      let o = 0;
      for (const v of chosen) out[o++] = v;
      out.sort();
    }
    return out;
  }
}
