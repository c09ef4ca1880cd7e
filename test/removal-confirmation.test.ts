import test, { type ExecutionContext } from 'ava';
import * as grpc from '@grpc/grpc-js';
import { dayMs } from '../src/emulator/backup-schedule.js';
import type { PassOutcome } from '../src/sync/sync-folder.js';
import { mirrorFixture, mirroredIds, type MirrorFixture } from './helpers/mirror-fixture.js';
import { seededRandom } from './helpers/seeded-random.js';

const pageSize = 7;


const pick = (random: () => number, n: number): number => Math.floor(random() * n);

/** Every listing this pass skips a few items after a random page and repeats another page's last item. */
function shiftListings(fx: MirrorFixture, random: () => number): void {
  fx.emulator.faults.set({
    move: { page: pick(random, 3), count: 1 + pick(random, 4) },
    duplicate: { page: pick(random, 4) },
  });
}

interface RunTotals {
  passes: number;
  removed: number;
  unconfirmed: number;
  duplicates: number;
  /** Removed events for backups the cloud still had when the pass ended. */
  wrongRemovals: string[];
}

/**
 * `passes` passes with shifting listings, the clock moving a random fraction of a day
 * between passes; every `removed` event is checked against the cloud's catalog at once.
 */
async function run(t: ExecutionContext, fx: MirrorFixture, seed: number, passes: number, confirmRemovals: boolean): Promise<RunTotals> {
  const random = seededRandom(seed);
  const totals: RunTotals = { passes: 0, removed: 0, unconfirmed: 0, duplicates: 0, wrongRemovals: [] };
  for (let i = 0; i < passes; i++) {
    shiftListings(fx, random);
    const head = fx.store.headSequence();
    const outcomes: PassOutcome[] = await fx.sync(undefined, { pageSize, confirmRemovals });
    for (const o of outcomes) t.true(o.ok, `seed ${seed} pass ${i}: ${o.error ?? ''}`);
    for (const e of fx.store.events(head, { limit: 100_000 })) {
      if (e.type !== 'removed') continue;
      totals.removed += 1;
      if (fx.emulator.catalog.get(e.backupId) !== undefined) totals.wrongRemovals.push(`pass ${i}: ${e.backupId}`);
    }
    totals.unconfirmed += outcomes.reduce((n, o) => n + o.unconfirmedRemovals, 0);
    totals.duplicates += outcomes.reduce((n, o) => n + o.duplicates, 0);
    totals.passes += 1;
    fx.emulator.clock.advance(Math.floor(random() * dayMs));
  }
  return totals;
}

for (const seed of [11, 23, 37, 41, 59]) {
  test(`seed ${seed}: 30 passes with items moving between pages never record a backup that still exists as removed`, async (t) => {
    const fx = await mirrorFixture(t, { seed, folders: 1, clustersPerFolder: 4 });
    const totals = await run(t, fx, seed, 30, true);
    t.deepEqual(totals.wrongRemovals, [], 'every removed backup was gone from the cloud');
    t.true(totals.unconfirmed > 0, 'removals the listing suggested but Get disproved were counted');
    t.true(totals.duplicates > 0, 'duplicates were seen');
    t.true(totals.removed > 0, 'backups that really expired were recorded as removed');
    t.true(fx.store.verify().ok, 'the log replays to the mirror');

    // Without faults the mirror converges on the cloud exactly.
    fx.emulator.faults.clear();
    const last = await fx.sync(undefined, { pageSize });
    t.true(last.every((o) => o.ok && o.unconfirmedRemovals === 0));
    for (const folder of fx.emulator.folderIds) {
      t.deepEqual(mirroredIds(fx.store, folder), [...fx.emulator.catalog.listAll(folder)].map((b) => b.id));
    }
  });
}

test('control: with confirm_removals off the same shifting listings do record live backups as removed', async (t) => {
  const fx = await mirrorFixture(t, { seed: 11, folders: 1, clustersPerFolder: 4 });
  const totals = await run(t, fx, 11, 10, false);
  t.true(totals.wrongRemovals.length > 0, 'the faults are strong enough to matter');
  t.is(totals.unconfirmed, 0);
});

const getFailures: Array<{ code: grpc.status; error: RegExp }> = [
  { code: grpc.status.UNAVAILABLE, error: /Get failed with UNAVAILABLE.*gave up after 1 attempt/ },
  { code: grpc.status.PERMISSION_DENIED, error: /Get failed with PERMISSION_DENIED.*managed-redis\.viewer/ },
  { code: grpc.status.INTERNAL, error: /Get failed with INTERNAL/ },
];

for (const { code, error } of getFailures) {
  test(`${grpc.status[code] ?? code} on the confirmation Get fails the pass rather than guessing; the mirror is unchanged`, async (t) => {
    const fx = await mirrorFixture(t, { folders: 1, clustersPerFolder: 4 });
    const [folder = ''] = fx.emulator.folderIds;
    t.true((await fx.sync(undefined, { pageSize }))[0]?.ok);
    fx.emulator.clock.advance(dayMs); // real removals to confirm too
    const head = fx.store.headSequence();
    const mirror = mirroredIds(fx.store, folder);
    fx.emulator.stats.reset();
    fx.emulator.faults.set({ move: { page: 1, count: 3 }, failGet: { code } });
    const [outcome] = await fx.sync(undefined, { pageSize });
    t.false(outcome?.ok);
    t.regex(outcome?.error ?? '', error);
    t.true(fx.emulator.stats.calls.Get >= 1, 'the removal was asked about');
    t.is(fx.store.headSequence(), head, 'nothing committed');
    t.deepEqual(mirroredIds(fx.store, folder), mirror);
    t.true(fx.store.verify().ok);

    // Once Get answers again the same shifted listing commits, keeping the moved backups.
    fx.emulator.faults.set({ failGet: undefined });
    const [ok] = await fx.sync(undefined, { pageSize });
    t.true(ok?.ok, ok?.error ?? '');
    t.true((ok?.unconfirmedRemovals ?? 0) > 0);
    for (const e of fx.store.events(head, { limit: 1000 })) {
      if (e.type === 'removed') t.is(fx.emulator.catalog.get(e.backupId), undefined, e.backupId);
    }
  });
}

test('a transient Get failure is retried and the confirmation completes', async (t) => {
  const fx = await mirrorFixture(t, { folders: 1, clustersPerFolder: 4 }, { maxAttempts: 3 });
  t.true((await fx.sync(undefined, { pageSize }))[0]?.ok);
  fx.emulator.faults.set({ move: { page: 0, count: 4 }, failGet: { code: grpc.status.UNAVAILABLE, times: 2 } });
  const [outcome] = await fx.sync(undefined, { pageSize });
  t.true(outcome?.ok, outcome?.error ?? '');
  t.is(outcome?.removed, 0);
  t.is(outcome?.unconfirmedRemovals, 4);
});
