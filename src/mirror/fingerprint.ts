import type { Backup, Timestamp } from './backup.js';

/**
 * A 52-bit hash of a backup id: an integer in [0, 2^52), exact in a double. Injectable so
 * tests can force collisions; any function of the id's text alone will do (stored digests
 * record a probe of the function they were made with, and are rebuilt under another).
 */
export type IdHash = (id: string) => number;

const two32 = 4294967296;

// Two independent 32-bit lanes; the result takes 20 bits of one and 32 of the other. The
// fingerprint's lanes live in module state between fields (no object per backup); hot loops
// copy them to locals, which V8 keeps in registers.
let laneA = 0;
let laneB = 0;

const primeA = 0x01000193;
const primeB = 0x5bd1e995;

function start(seed: number): void {
  laneA = 0x811c9dc5 ^ seed;
  laneB = 0x9747b28c ^ Math.imul(seed, 0x9e3779b1);
}

function mix(word: number): void {
  laneA = Math.imul(laneA ^ word, primeA);
  const b = Math.imul(laneB ^ word, primeB);
  laneB = b ^ (b >>> 15);
}

function mixString(s: string): void {
  const n = s.length;
  let a = Math.imul(laneA ^ n, primeA);
  let b = Math.imul(laneB ^ n, primeB);
  b ^= b >>> 15;
  // Two UTF-16 units per step (both whole in the 32-bit word): half the multiplications.
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const c = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ c, primeA);
    b = Math.imul(b ^ c, primeB);
    b ^= b >>> 15;
  }
  if (i < n) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, primeA);
    b = Math.imul(b ^ c, primeB);
    b ^= b >>> 15;
  }
  laneA = a;
  laneB = b;
}

const numberBits = new Float64Array(1);
const numberWords = new Uint32Array(numberBits.buffer);

function mixNumber(x: number): void {
  numberBits[0] = x + 0; // -0 and 0 store the same in SQLite
  mix(numberWords[0] ?? 0);
  mix(numberWords[1] ?? 0);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function finish(lanesA: number, lanesB: number): number {
  const a = fmix(lanesA ^ Math.imul(lanesB, 0x27d4eb2f));
  const b = fmix(lanesB ^ Math.imul(a, 0x165667b1));
  return (a >>> 12) * two32 + (b >>> 0);
}

/** The default {@link IdHash}: 52 bits over the id's UTF-16 code units. */
export function hashId(id: string): number {
  start(0x1d);
  mixString(id);
  return finish(laneA, laneB);
}

function mixTimestamp(ts: Timestamp | null): void {
  if (ts === null) {
    mix(0);
    return;
  }
  mix(1);
  mixNumber(ts.seconds);
  mixNumber(ts.nanos);
}

/**
 * A 52-bit fingerprint of what the mirror stores of a backup besides its id and folder:
 * equal fingerprints mean "unchanged" (a false match has odds of 2^-52 per changed backup).
 * Every field is tagged or length-prefixed, so different backups never encode alike.
 */
export function fingerprint(b: Backup): number {
  start(0x5eed);
  mixString(b.sourceClusterId);
  mixNumber(b.type);
  mixTimestamp(b.createdAt);
  mixTimestamp(b.startedAt);
  mix(b.sourceShardNames.length);
  for (const name of b.sourceShardNames) mixString(name);
  return finish(laneA, laneB);
}
