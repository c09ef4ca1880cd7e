import test from 'ava';
import { EventEmitter, once } from 'node:events';
import { PassThrough } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { emulatorCommand } from '../src/cli/emulator-command.js';
import { backupServiceClientConstructor } from '../src/upstream/proto.js';
import type { WireListBackupsResponse } from '../src/upstream/proto.js';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  return { stdout, stderr, errText: () => err };
}

/** The next line the command writes to stdout, parsed. */
async function nextLine(stdout: PassThrough): Promise<Record<string, unknown>> {
  let buffered = '';
  for (;;) {
    const chunk: unknown = stdout.read();
    if (chunk !== null) buffered += String(chunk);
    const nl = buffered.indexOf('\n');
    if (nl >= 0) {
      stdout.unshift(Buffer.from(buffered.slice(nl + 1)));
      return JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
    }
    await once(stdout, 'readable');
  }
}

for (const [argv, flag] of [
  [['--bogus'], '--bogus'],
  [[], '--listen'],
  [['--listen', 'nonsense'], '--listen'],
  [['--listen', '127.0.0.1:0', '--folders', 'x'], '--folders'],
  [['--listen', '127.0.0.1:0', '--clusters', '-3'], '--clusters'],
  [['--listen', '127.0.0.1:0', '--seed', '1.5'], '--seed'],
  [['--listen', '127.0.0.1:0', '--day-every', 'soon'], '--day-every'],
  [['--listen', '127.0.0.1:0', '--token', ''], '--token'],
] as const) {
  test(`bad flags exit 2 naming the flag: ${argv.join(' ') || '(none)'}`, async (t) => {
    const out = io();
    t.is(await emulatorCommand([...argv], out), 2);
    t.true(out.errText().includes(flag), out.errText());
  });
}

test('serves, advances a day on SIGUSR1, stops on SIGTERM', async (t) => {
  const out = io();
  const signals = new EventEmitter();
  const done = emulatorCommand(
    ['--listen', '127.0.0.1:0', '--folders', '2', '--clusters', '3', '--seed', '4', '--token', 'tok'],
    out,
    { signals },
  );
  const ready = await nextLine(out.stdout);
  t.regex(String(ready['listening']), /^127\.0\.0\.1:\d+$/);
  const folders = ready['folders'] as string[];
  t.is(folders.length, 2);
  t.is(ready['clock'], '2026-12-01T12:00:00.000Z');
  t.false(JSON.stringify(ready).includes('tok"'), 'the token is never printed');

  const Client = backupServiceClientConstructor();
  const client = new Client(String(ready['listening']), grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  md.set('authorization', 'Bearer tok');
  const reply = await new Promise<WireListBackupsResponse>((resolve, reject) => {
    const list = (client as unknown as Record<string, (...a: unknown[]) => unknown>)['List'];
    list?.call(client, { folder_id: folders[0], page_size: 0, page_token: '' }, md, (err: Error | null, res: WireListBackupsResponse) =>
      err === null ? resolve(res) : reject(err),
    );
  });
  t.is(reply.backups.length, 21);
  client.close();

  signals.emit('SIGUSR1');
  t.deepEqual(await nextLine(out.stdout), { clock: '2026-12-02T12:00:00.000Z' });
  signals.emit('SIGTERM');
  t.is(await done, 0);
  t.is(signals.listenerCount('SIGUSR1') + signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT'), 0);
});
