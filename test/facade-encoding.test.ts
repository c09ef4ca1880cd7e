import test from 'ava';
import { encodeBackup, encodeListResponse } from '../src/facade/backup-encoding.js';
import { PageTokenCodec, maxTokenIdBytes } from '../src/facade/page-token.js';
import type { Backup } from '../src/mirror/backup.js';
import { backupFromWire, backupToWire } from '../src/upstream/backup-codec.js';
import { backupServiceDefinition, type WireListBackupsResponse } from '../src/upstream/proto.js';
import { makeBackup } from './helpers/make-backup.js';

// The generic serializers grpc-js would use are the reference. protobufjs writes a proto3 zero
// scalar when the object has the property; the cloud (like every canonical encoder) omits it,
// and so does ours. So the reference objects leave zero scalars out.
const definition = backupServiceDefinition();
const encodeGetReference = (b: Backup): Buffer => definition['Get']?.responseSerialize(canonical(backupToWire(b))) ?? Buffer.alloc(0);
const encodeListReference = (r: WireListBackupsResponse): Buffer =>
  definition['List']?.responseSerialize(canonical({ ...r, backups: r.backups.map(canonical) })) ?? Buffer.alloc(0);

/** The object without proto3 zero scalars (0, ''), recursively through sub-messages (not arrays). */
function canonical<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === 0 || v === '') continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? canonical(v as object) : v;
  }
  return out as T;
}
const decodeList = (buf: Buffer): WireListBackupsResponse => definition['List']?.responseDeserialize(buf) as WireListBackupsResponse;

const samples: Backup[] = [
  makeBackup('c9q287aqv5rfxxxxxxxx:20181113T133617'),
  makeBackup('c9qa:1', 'f', { createdAt: null, startedAt: null }),
  makeBackup('c9qb:2', 'f', { createdAt: { seconds: 0, nanos: 0 }, startedAt: { seconds: 0, nanos: 5 } }),
  makeBackup('c9qc:3', 'f', { createdAt: { seconds: -62_135_596_800, nanos: 0 }, startedAt: { seconds: 253_402_300_799, nanos: 999_999_999 } }),
  makeBackup('c9qd:4', 'f', { sourceShardNames: [] }),
  makeBackup('c9qe:5', 'f', { sourceShardNames: ['', 'shard2', 'шард3'] }),
  makeBackup('идентификатор:6', 'папка', { sourceClusterId: '' }),
  makeBackup('c9qf:7', '', { type: 0 }),
  makeBackup('c9qg:8', 'f', { type: 2 }),
  makeBackup('c9qh:9', 'f', { type: 1234 }),
  makeBackup('c9qi:10', 'f', { type: -1 }),
  makeBackup('', 'f'),
  makeBackup('x'.repeat(300), 'f', { sourceShardNames: Array.from({ length: 40 }, (_, i) => `shard${i}`) }),
];

test('encodeBackup matches the generic serializer byte for byte', (t) => {
  for (const b of samples) {
    t.deepEqual(encodeBackup(b), encodeGetReference(b), JSON.stringify(b));
    // And what the generic serializer makes of the full object decodes to the same thing.
    const generic = definition['Get']?.responseSerialize(backupToWire(b)) ?? Buffer.alloc(0);
    t.deepEqual(definition['Get']?.responseDeserialize(encodeBackup(b)), definition['Get']?.responseDeserialize(generic));
  }
});

test('encodeListResponse matches the generic serializer and decodes back to the same backups', (t) => {
  for (const token of ['', 'AQ-some_token']) {
    for (const page of [[], samples, samples.slice(0, 1)]) {
      const ours = encodeListResponse(page, token);
      t.deepEqual(ours, encodeListReference({ backups: page.map(backupToWire), next_page_token: token }));
      const decoded = decodeList(ours);
      t.is(decoded.next_page_token, token);
      t.deepEqual(decoded.backups.map(backupFromWire).map((b) => b.id), page.map((b) => b.id));
    }
  }
});

test('page tokens: round trip, at most 100 characters, bound to folder and key', (t) => {
  const codec = new PageTokenCodec(Buffer.alloc(32, 1));
  const id = 'c9q287aqv5rfxxxxxxxx:20181113T133617';
  const token = codec.encode('b1gfolder', id);
  t.true(token.length <= 100);
  t.regex(token, /^[A-Za-z0-9_-]+$/);
  t.is(codec.decode('b1gfolder', token), id);
  t.throws(() => codec.decode('b1gother', token), { message: /^page_token:/ });
  t.throws(() => new PageTokenCodec(Buffer.alloc(32, 2)).decode('b1gfolder', token), { message: /^page_token:/ });
  const longest = 'x'.repeat(maxTokenIdBytes);
  t.true(codec.encode('f', longest).length <= 100);
  t.is(codec.decode('f', codec.encode('f', longest)), longest);
  t.throws(() => codec.encode('f', `${longest}x`), { message: /too long|bytes/ });
  t.throws(() => new PageTokenCodec(Buffer.alloc(8)), { message: /pageTokenKey/ });
});
