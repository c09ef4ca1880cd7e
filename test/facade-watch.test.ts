import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { eventToJson } from '../src/cli/event-json.js';
import { dayMs } from '../src/emulator/backup-schedule.js';
import { eventFromWire, type WireWatchResponse } from '../src/facade/event-wire.js';
import { mirrorServiceClientConstructor } from '../src/facade/facade-protos.js';
import type { WireGetStatusResponse } from '../src/facade/mirror-status.js';
import { startFacade } from '../src/facade/start-facade.js';
import { silentLogger } from '../src/log/logger.js';
import type { MirrorStore } from '../src/store/mirror-store.js';
import { eventually, facadeFixture, unary } from './helpers/facade-fixture.js';
import { makeBackup } from './helpers/make-backup.js';

type WatchStub = grpc.Client & { Watch(req: unknown): grpc.ClientReadableStream<WireWatchResponse> };

/** A Watch stream whose messages and end are recorded. */
function watch(client: grpc.Client, req: { after_sequence?: number; folder_id?: string }) {
  const call = (client as WatchStub).Watch(req);
  const events: number[] = [];
  const lines: string[] = [];
  const progress: number[] = [];
  let error: grpc.ServiceError | undefined;
  call.on('data', (m: WireWatchResponse) => {
    if (m.event != null) {
      const e = eventFromWire(m.event);
      events.push(e.sequence);
      lines.push(JSON.stringify(eventToJson(e)));
    } else if (m.progress != null) progress.push(Number(m.progress.head_sequence));
  });
  call.on('error', (err: grpc.ServiceError) => {
    error = err;
  });
  return {
    call,
    events,
    lines,
    progress,
    error: () => error,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function logLines(store: MirrorStore, after: number, folderId?: string): string[] {
  return store.events(after, { limit: 1_000_000, folderId }).map((e) => JSON.stringify(eventToJson(e)));
}

test('Watch replays the log, says when it caught up, then streams events committed while connected', async (t) => {
  const fx = await facadeFixture(t);
  const head = fx.reader.headSequence();
  t.true(head > 0);
  const w = watch(fx.mirrorClient(), { after_sequence: 0 });
  await eventually(() => w.progress.length > 0, 'catch-up progress');
  t.deepEqual(w.events, range(1, head));
  t.deepEqual(w.lines, logLines(fx.reader, 0), 'every field as in the log');
  t.is(w.progress[0], head);

  fx.emulator.clock.advance(dayMs);
  await fx.sync();
  const head2 = fx.reader.headSequence();
  t.true(head2 > head, 'the pass recorded events');
  await eventually(() => w.events.length === head2, 'events of the new pass');
  t.deepEqual(w.events, range(1, head2));
  t.deepEqual(w.lines, logLines(fx.reader, 0));
  w.call.cancel();
});

test('Watch resumes after a disconnect without gaps or repeats', async (t) => {
  const fx = await facadeFixture(t, { emulator: { folders: 2, clustersPerFolder: 30 } });
  const client = fx.mirrorClient();
  const first = watch(client, { after_sequence: 0 });
  await eventually(() => first.events.length >= 50, 'some events');
  first.call.cancel();
  await eventually(() => first.error() !== undefined, 'the stream to end');
  t.is(first.error()?.code, grpc.status.CANCELLED);
  const last = first.events.at(-1) ?? 0;

  // A pass commits while the consumer is away.
  fx.emulator.clock.advance(dayMs);
  await fx.sync();
  const head = fx.reader.headSequence();

  const second = watch(client, { after_sequence: last });
  await eventually(() => second.progress.length > 0, 'catch-up');
  const all = [...first.events, ...second.events];
  t.deepEqual(all, range(1, head), 'each event exactly once, in order');
  t.deepEqual([...first.lines, ...second.lines], logLines(fx.reader, 0));
  second.call.cancel();
});

test('Watch of one folder: only its events, and progress with the head while idle', async (t) => {
  const fx = await facadeFixture(t, { facade: { progressIntervalMs: 50 } });
  const folder = fx.emulator.folderIds[1] ?? '';
  const w = watch(fx.mirrorClient(), { after_sequence: 0, folder_id: folder });
  await eventually(() => w.progress.length >= 3, 'periodic progress');
  t.deepEqual(w.lines, logLines(fx.reader, 0, folder));
  t.true(w.progress.every((p) => p === fx.reader.headSequence()), 'progress carries the head');
  w.call.cancel();
});

test('Watch validation: OUT_OF_RANGE beyond the head, NOT_FOUND for a folder not mirrored, INVALID_ARGUMENT', async (t) => {
  const fx = await facadeFixture(t);
  const client = fx.mirrorClient();
  const head = fx.reader.headSequence();
  const cases = [
    [{ after_sequence: head + 1 }, grpc.status.OUT_OF_RANGE, /^after_sequence: /],
    [{ folder_id: 'b1gnotmirrored' }, grpc.status.NOT_FOUND, /^folder_id: /],
    [{ folder_id: 'z'.repeat(51) }, grpc.status.INVALID_ARGUMENT, /^folder_id: /],
  ] as const;
  for (const [req, code, message] of cases) {
    const w = watch(client, req);
    await eventually(() => w.error() !== undefined, `an error for ${JSON.stringify(req)}`);
    t.is(w.error()?.code, code);
    t.regex(w.error()?.details ?? '', message);
  }
  const atHead = watch(client, { after_sequence: head });
  await eventually(() => atHead.progress.length > 0, 'progress at the head');
  t.deepEqual(atHead.events, []);
  atHead.call.cancel();
});

test('a consumer that stops reading holds the server back: the log is read only as the stream drains', async (t) => {
  t.timeout(180_000); // thousands of calls; slow when the machine is shared
  const fx = await facadeFixture(t, { extraFolders: ['b1gbigfolder'] });
  const stage = fx.writer.beginListing('b1gbigfolder');
  const total = 30_000;
  for (let i = 0; i < total; i += 1000) {
    stage.add(Array.from({ length: 1000 }, (_, j) => makeBackup(`c9qbig${String(i + j).padStart(14, '0')}:20261201T220000`, 'b1gbigfolder')));
  }
  fx.writer.commitPass(stage, 'big-pass', Date.now());
  stage.dispose();
  const head = fx.writer.headSequence();

  // The facade's store, counting the events it reads.
  let read = 0;
  const counting = Object.create(fx.reader) as MirrorStore;
  counting.events = (after, options) => {
    const batch = fx.reader.events(after, options);
    read += batch.length;
    return batch;
  };
  const facade = await startFacade({ listen: { host: '127.0.0.1', port: 0 }, tls: null, store: counting, folders: fx.folders, commits: fx.commits, logger: silentLogger });
  t.teardown(() => facade.close(100));
  const Client = mirrorServiceClientConstructor();
  const client = new Client(facade.address, grpc.credentials.createInsecure());
  t.teardown(() => client.close());

  const w = watch(client, { after_sequence: 0 });
  await eventually(() => w.events.length > 0, 'the first events');
  w.call.pause();
  // Wait until the server stops reading (its writes no longer drain).
  let before = -1;
  await eventually(async () => {
    const now = read;
    const stable = now === before;
    before = now;
    await new Promise((r) => setTimeout(r, 200));
    return stable;
  }, 'the server to stop reading');
  t.log(`read ${read} of ${total} while paused`);
  t.true(read < total / 2, `the server read ${read} of ${total} events for a paused consumer`);

  w.call.resume();
  await eventually(() => w.progress.length > 0, 'the rest of the log', 50_000);
  t.deepEqual(w.events, range(1, head));
  w.call.cancel();
});

test('GetStatus: every configured folder, in id order, and the head', async (t) => {
  const fx = await facadeFixture(t, { extraFolders: ['b1gneversynced'] });
  fx.writer.recordFailure(fx.emulator.folderIds[0] ?? '', Date.now(), 'upstream: UNAVAILABLE', 'failed-pass');
  const r = await unary<WireGetStatusResponse>(fx.mirrorClient(), 'GetStatus', {});
  t.is(r.error, undefined);
  t.is(r.value?.head_sequence, fx.reader.headSequence());
  const states = new Map(fx.reader.folderStates().map((s) => [s.folderId, s]));
  t.deepEqual(r.value?.folders.map((f) => f.folder_id), [...fx.folders].sort());
  for (const f of r.value?.folders ?? []) {
    const s = states.get(f.folder_id);
    t.is(f.backup_count, s?.backupCount ?? 0);
    t.is(f.last_error, s?.lastError ?? '');
    t.is(f.last_pass_id, s?.lastPassId ?? '');
    const ms = (ts: { seconds: number | string; nanos: number } | null): number | null => (ts === null ? null : Number(ts.seconds) * 1000 + ts.nanos / 1e6);
    t.is(ms(f.last_success_at), s?.lastSuccessAt ?? null);
    t.is(ms(f.last_attempt_at), s?.lastAttemptAt ?? null);
  }
  const failed = r.value?.folders.find((f) => f.folder_id === fx.emulator.folderIds[0]);
  t.is(failed?.last_error, 'upstream: UNAVAILABLE');
  t.not(failed?.last_success_at, null, 'the earlier success is still reported');
});

test('closing the facade ends Watch streams with UNAVAILABLE', async (t) => {
  const fx = await facadeFixture(t);
  const w = watch(fx.mirrorClient(), { after_sequence: 0 });
  await eventually(() => w.progress.length > 0, 'catch-up');
  await fx.facade.close(2000);
  await eventually(() => w.error() !== undefined, 'the stream to end');
  t.is(w.error()?.code, grpc.status.UNAVAILABLE);
});
