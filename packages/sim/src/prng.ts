/**
 * Deterministic randomness. Two kinds, both seeded from the scenario seed:
 *
 * - Counter-based values (`hash32`, `uniformAt`, `gaussianAt`): a pure function of (key, index), so a
 *   symbol, a burst or a syllable at a given time is the same whichever node hears it and however
 *   the samples are cut into blocks.
 * - Streams (`Xoshiro128`): fast sequential numbers for per-sample noise, reseeded at fixed,
 *   absolute sample positions so that they too depend only on absolute time.
 *
 * All arithmetic is 32-bit integer (Math.imul), so results are identical on every JavaScript engine.
 */

/** Finalizing mixer: a bijection on 32-bit integers with good avalanche. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a key and up to three integer indices (each taken modulo 2^32). */
export function hash32(key: number, a = 0, b = 0, c = 0): number {
  let h = mix32(key ^ 0x9e3779b9);
  h = mix32(h ^ lo32(a));
  h = mix32((h + 0x632be5ab) ^ lo32(b));
  h = mix32((h + 0x85ebca77) ^ lo32(c));
  return h;
}

/** Low 32 bits of a non-negative or negative integer that may exceed 2^32 (exact below 2^53). */
function lo32(x: number): number {
  if (x >= 0 && x < 4294967296) return x >>> 0;
  const r = x % 4294967296;
  return (r < 0 ? r + 4294967296 : r) >>> 0;
}

/** FNV-1a of a string: turns names (emitters, nodes) into stable keys. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** Derives a child key from a parent key and a name or number. */
export function deriveKey(parent: number, child: string | number): number {
  return hash32(parent, typeof child === 'number' ? child : hashString(child), 0x5eed);
}

const INV_2_32 = 1 / 4294967296;

/** Uniform in [0, 1) for (key, a, b, c). */
export function uniformAt(key: number, a = 0, b = 0, c = 0): number {
  return hash32(key, a, b, c) * INV_2_32;
}

/** Standard normal for (key, a, b), by Box-Muller on two hashed uniforms (not for hot loops). */
export function gaussianAt(key: number, a = 0, b = 0): number {
  const u1 = (hash32(key, a, b, 1) + 0.5) * INV_2_32;
  const u2 = hash32(key, a, b, 2) * INV_2_32;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** xoshiro128** (Blackman and Vigna): a small, fast 32-bit generator for sample-rate noise. */
export class Xoshiro128 {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed = 0) {
    this.reseed(seed);
  }

  /** Resets the state from a 32-bit seed (expanded with the mixer, never all zero). */
  reseed(seed: number): void {
    this.s0 = mix32(seed + 0x9e3779b9);
    this.s1 = mix32(seed + 0x3c6ef372);
    this.s2 = mix32(seed + 0xdaa66d2b);
    this.s3 = mix32(seed + 0x78dde6e4) | 1;
  }

  /** Next 32-bit unsigned integer. */
  next(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next() * INV_2_32;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The xoshiro128** state that `new Xoshiro128(seed)` starts from (for the WebAssembly kernel). */
export function xoshiroState(seed: number, out: Uint32Array): void {
  out[0] = mix32(seed + 0x9e3779b9);
  out[1] = mix32(seed + 0x3c6ef372);
  out[2] = mix32(seed + 0xdaa66d2b);
  out[3] = (mix32(seed + 0x78dde6e4) | 1) >>> 0;
}
