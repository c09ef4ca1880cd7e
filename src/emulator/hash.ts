/**
 * Seeded, stateless 32-bit hashing: the emulator's only source of "randomness". Every
 * generated attribute is a pure function of (seed, inputs), so a catalog can be
 * recomputed on demand in any order and two runs with the same seed agree exactly.
 * (No Math.random: determinism is the point.)
 */

/** murmur3's 32-bit finalizer: spreads every input bit over the whole word. */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hash of a sequence of integers under a seed (unsigned 32-bit result). */
export function hashInts(seed: number, ...values: readonly number[]): number {
  return hashArray(seed, values);
}

/** {@link hashInts} over an array (no rest-argument copy, for hot paths). */
export function hashArray(seed: number, values: readonly number[]): number {
  let h = fmix32(seed ^ 0x9e3779b9);
  for (const v of values) h = mixInt(h, v);
  return fmix32(h);
}

/** One absorption step: folds an integer (up to 2^53) into a running hash. */
function mixInt(h: number, v: number): number {
  const x = fmix32(h ^ Math.imul((v | 0) ^ (Math.floor(v / 0x100000000) | 0), 0x9e3779b1));
  return (Math.imul(x, 5) + 0xe6546b64) >>> 0;
}

/** Hash of a string under a seed (FNV-1a over UTF-16 code units, then finalized). */
export function hashString(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ fmix32(seed)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Lowercase RFC 4648 base32 alphabet, the character set of the generated cloud ids. */
export const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

/** `prefix` then `length` base32 characters drawn from the hash stream of (seed, values). */
export function base32Id(prefix: string, length: number, seed: number, values: readonly number[]): string {
  // Collect codes and build the string once: `+=` per character would leave a rope of
  // many pieces per id, which costs memory and slows every later comparison.
  const codes: number[] = [];
  for (let i = 0; i < prefix.length; i++) codes.push(prefix.charCodeAt(i));
  const total = prefix.length + length;
  const base = hashArray(seed, values);
  let word = 0;
  let bits = 0;
  let block = 0;
  while (codes.length < total) {
    if (bits < 5) {
      word = fmix32(mixInt(base, block++));
      bits = 32;
    }
    codes.push(base32Alphabet.charCodeAt(word & 31));
    word >>>= 5;
    bits -= 5;
  }
  return String.fromCharCode.apply(null, codes);
}
