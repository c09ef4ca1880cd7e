import { Registry, type MetricObject } from 'prom-client';
import type { MetricsFormat } from './metrics-format.js';

export type { MetricsFormat } from './metrics-format.js';

/** One exposition: the body and the Content-Type to send it with. */
export interface RenderedMetrics {
  readonly contentType: string;
  readonly body: string;
}

const eof = '# EOF\n';

/**
 * Renders one registry, plus families kept outside it as ready text (`extra`: complete
 * families ending in a newline, valid in both formats), in either exposition format.
 *
 * prom-client 15 switches a registry's format with `setContentType`, and its OpenMetrics
 * rendering strips `_total` from each counter's name in place; left alone, every later
 * Prometheus-text scrape would lose the suffix. So renders run one at a time, and after
 * an OpenMetrics one the registry's format and the counters' names are put back.
 */
export class MetricsRenderer {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly registry: Registry, private readonly extra: () => string = () => '') {}

  render(format: MetricsFormat): Promise<RenderedMetrics> {
    const run = this.tail.then(() => this.renderNow(format));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async renderNow(format: MetricsFormat): Promise<RenderedMetrics> {
    // `extra` is read in the same synchronous turn as the registry's collect callbacks
    // run, so both see one snapshot of the mirror.
    if (format === 'prometheus') {
      const extra = this.extra();
      const body = await this.registry.metrics();
      // Prometheus text separates families with a blank line.
      return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: extra === '' ? body : `${body}\n${extra}` };
    }
    const names = new Map<MetricObject, string>(this.registry.getMetricsAsArray().map((m) => [m, m.name]));
    // The registry's type parameter pins it to one format; the runtime switch is what prom-client offers for the other.
    const switchable = this.registry as unknown as Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE | typeof Registry.PROMETHEUS_CONTENT_TYPE>;
    switchable.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    try {
      const extra = this.extra();
      const body = await this.registry.metrics();
      // OpenMetrics allows no blank lines, and `# EOF` must stay last.
      const families = body.endsWith(eof) ? body.slice(0, -eof.length) : body;
      return { contentType: Registry.OPENMETRICS_CONTENT_TYPE, body: `${families}${extra}${eof}` };
    } finally {
      switchable.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
      for (const [metric, name] of names) metric.name = name;
    }
  }
}
