/**
 * A least-recently-used cache (of encoded messages) bounded by their total size in bytes.
 * Each entry carries a `tag` (the data version it was built from); a lookup with another
 * tag is a miss and drops the stale entry.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { readonly tag: string; readonly value: V; readonly cost: number }>();
  private total = 0;
  hits = 0;
  misses = 0;

  /**
   * @param maxBytes budget for the cached values' sizes, in bytes (plus `overheadBytes` per entry)
   * @param overheadBytes bookkeeping cost counted per entry, so many tiny entries stay bounded too
   */
  constructor(
    private readonly maxBytes: number,
    private readonly overheadBytes = 64,
  ) {}

  /** Bytes currently accounted (values plus per-entry overhead). */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, tag: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.tag !== tag) {
      if (entry !== undefined) this.delete(key);
      this.misses++;
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry.value;
  }

  /** Caches `value`, which takes `bytes` bytes; evicts the least recently used beyond the budget. */
  set(key: string, tag: string, value: V, bytes: number): void {
    const cost = bytes + this.overheadBytes;
    if (cost > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, { tag, value, cost });
    this.total += cost;
    for (const [oldest] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  /** Drops every entry whose key starts with `prefix` (e.g. one folder's pages). */
  deletePrefix(prefix: string): void {
    for (const key of this.entries.keys()) {
      if (key.startsWith(prefix)) this.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.total -= entry.cost;
  }
}
