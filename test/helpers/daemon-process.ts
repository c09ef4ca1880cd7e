import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { spawnCli } from './cli.js';

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  /** host:port of the gRPC facade. */
  readonly facadeAddress: string;
  readonly configFile: string;
  /** Everything the daemon wrote to stderr so far (JSON log lines). */
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Writes a daemon config for the emulator at `endpoint` into `dir`. */
export function writeDaemonConfig(dir: string, endpoint: string, folders: readonly string[], extra = ''): string {
  const file = path.join(dir, 'daemon.yaml');
  writeFileSync(
    file,
    [
      `folders: [${folders.join(', ')}]`,
      'schedule: "* * * * * *"',
      'upstream:',
      `  endpoint: ${endpoint}`,
      '  tls: false',
      '  page_size: 20',
      '  timeout: 5s',
      '  retry:',
      '    max_attempts: 1',
      'store:',
      '  path: mirror.db',
      'metrics:',
      '  listen: 127.0.0.1:0',
      'facade:',
      '  listen: 127.0.0.1:0',
      extra,
    ].join('\n'),
  );
  return file;
}

/** Starts the real daemon (`run`) as a child process and waits until it serves metrics. */
export async function startDaemon(t: ExecutionContext, configFile: string): Promise<DaemonProcess> {
  const child = spawnCli(['run', '--config', configFile]);
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const [metricsUrl, facadeAddress] = await new Promise<[string, string]>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /"metrics":"(http:\/\/[^"]+)","facade":"([^"]+)"/.exec(stderr);
      if (m?.[1] !== undefined && m[2] !== undefined) resolve([m[1], m[2]]);
    });
    void exited.then(({ code }) => reject(new Error(`daemon exited with ${code} before starting:\n${stderr}`)));
  });
  return { child, metricsUrl, facadeAddress, configFile, stderr: () => stderr, exited };
}

/** One sample value from a Prometheus text exposition, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (m === null || m[1] !== name) continue;
    const labelText = m[2] ?? '';
    if (wanted.every((w) => labelText.includes(w))) return Number(m[3]);
  }
  return undefined;
}

/** Polls `check` every 100 ms until it returns true, failing after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
