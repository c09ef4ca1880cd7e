/** Spelling-insensitive form: `pageSize`, `page-size` and `pagesize` all match `page_size`. */
function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known key an unknown one was probably meant to be: same letters ignoring case,
 * `_` and `-`, or at most two edits away (for keys of four or more letters). Undefined if none.
 */
export function didYouMean(unknown: string, known: readonly string[]): string | undefined {
  const wanted = normalize(unknown);
  const exact = known.find((key) => normalize(key) === wanted);
  if (exact !== undefined) return exact;
  if (wanted.length < 4) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const key of known) {
    const d = distance(wanted, normalize(key));
    if (d < bestDistance) {
      best = key;
      bestDistance = d;
    }
  }
  return best;
}
