/** The two exposition formats `/metrics` speaks. */
export type MetricsFormat = 'prometheus' | 'openmetrics';

interface MediaRange {
  readonly type: string;
  readonly q: number;
}

/**
 * Chooses the exposition format for an HTTP `Accept` header: OpenMetrics when the client
 * accepts `application/openmetrics-text` at least as much as `text/plain` (as Prometheus
 * does by default), the classic text format otherwise, including when the header is
 * missing, empty or unparsable. Parameters other than `q` (such as `version`) are ignored:
 * the one OpenMetrics version served (1.0.0) is the one every Prometheus since 2.5 reads.
 */
export function negotiateFormat(accept: string | undefined): MetricsFormat {
  if (accept === undefined) return 'prometheus';
  let openMetrics = 0;
  let text = 0;
  for (const range of parseAccept(accept)) {
    if (range.type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, range.q);
    else if (range.type === 'text/plain') text = Math.max(text, range.q);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    if (type === '') continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key?.toLowerCase() === 'q' && value !== undefined) {
        const n = Number(value);
        q = Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0;
      }
    }
    ranges.push({ type: type.toLowerCase(), q });
  }
  return ranges;
}
