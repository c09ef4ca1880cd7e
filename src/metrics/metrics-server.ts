import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../config/config.js';
import { formatListenAddress } from '../config/listen-address.js';
import { negotiateFormat } from './metrics-format.js';
import type { Readiness } from './readiness.js';
import type { RenderedMetrics } from './render-metrics.js';
import type { MetricsFormat } from './metrics-format.js';

export interface MetricsServerOptions {
  /** Where to listen; port 0 picks a free port. */
  readonly listen: ListenAddress;
  readonly metrics: { render(format: MetricsFormat): Promise<RenderedMetrics> };
  /** Asked on every `/readyz`; see `mirrorReadiness`. */
  readonly readiness: () => Readiness;
}

export interface MetricsServer {
  /** The bound address as `host:port` (IPv6 in brackets). */
  readonly address: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** Stops listening and ends open connections; resolves when the server is closed. */
  close(): Promise<void>;
}

/**
 * Serves `/metrics` (Prometheus text, or OpenMetrics when `Accept` prefers it), `/healthz`
 * (200 `ok` while the process serves HTTP) and `/readyz` (200 once ready, else 503 with
 * `{"ready":false,"folders_not_ready":[...]}`) over plain HTTP. Other paths are 404;
 * methods other than GET and HEAD are 405.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      // A scrape that fails (e.g. the database closed during shutdown) is a 500, never a crash.
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => reject(new Error(`metrics server cannot listen on ${formatListenAddress(options.listen)}: ${err.message}`, { cause: err }));
    server.once('error', fail);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: formatListenAddress({ host: bound.address, port: bound.port }),
    port: bound.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        server.closeAllConnections();
      }),
  };
}

async function handle(options: MetricsServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') {
    send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics, /healthz or /readyz\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  if (path === '/healthz') {
    send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    return;
  }
  if (path === '/readyz') {
    const r = options.readiness();
    if (r.ready) send(res, 200, 'application/json', `${JSON.stringify({ ready: true })}\n`);
    else send(res, 503, 'application/json', `${JSON.stringify({ ready: false, folders_not_ready: r.notReady })}\n`);
    return;
  }
  const rendered = await options.metrics.render(negotiateFormat(req.headers.accept));
  send(res, 200, rendered.contentType, rendered.body);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
