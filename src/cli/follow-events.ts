import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { eventFromWire, type WireWatchResponse } from '../facade/event-wire.js';
import { mirrorServiceClientConstructor } from '../facade/facade-protos.js';
import { backoffDelay } from '../upstream/backoff.js';
import { sleep } from '../upstream/sleep.js';
import type { CommandIo } from './command-io.js';
import { eventToJson } from './event-json.js';
import { integerFlag, parseFlags } from './parse-flags.js';
import { UsageError } from './usage-error.js';

/** Codes after which reconnecting cannot help: the request itself is wrong. */
const fatalCodes = new Set<grpc.status>([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNIMPLEMENTED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.UNAUTHENTICATED,
  grpc.status.FAILED_PRECONDITION,
]);

const backoff = { initialMs: 250, maxMs: 10_000 };

type StreamOutcome = { readonly caughtUp: true } | { readonly caughtUp: false; readonly code: grpc.status; readonly details: string };

type WatchStub = grpc.Client & {
  Watch(request: { after_sequence: number; folder_id: string }, options?: grpc.CallOptions): grpc.ClientReadableStream<WireWatchResponse>;
};

/**
 * `events --address HOST:PORT [--after SEQ] [--folder ID] [--follow] [--tls-ca FILE]
 * [--tls-cert FILE --tls-key FILE]`: reads a running mirror's log through Watch and
 * prints one JSON line per event (as `events --config` does). With --follow it keeps
 * following, reconnecting with backoff after a disconnect and resuming after the last
 * sequence printed, until SIGINT/SIGTERM (exit 0); without it, it exits 0 once caught up.
 * Exit 1 when the server refuses the request (bad folder, sequence beyond the head).
 * @param stop ends following, as SIGINT/SIGTERM do (default: those signals).
 */
export async function followEvents(argv: string[], io: CommandIo, stop?: AbortSignal): Promise<number> {
  const flags = parseFlags('events', argv, {
    address: { type: 'string' },
    after: { type: 'string' },
    folder: { type: 'string' },
    follow: { type: 'boolean' },
    'tls-ca': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  });
  if (flags.address === undefined || flags.address === '') throw new UsageError('events: --address HOST:PORT is required');
  let after = integerFlag('events', 'after', flags.after, 0);
  const credentials = clientCredentials(flags['tls-ca'], flags['tls-cert'], flags['tls-key']);
  const Client = mirrorServiceClientConstructor();
  const client = new Client(flags.address, credentials, { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000 }) as unknown as WatchStub;

  const signals = new AbortController();
  const onSignal = (): void => signals.abort();
  if (stop === undefined) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const done = stop ?? signals.signal;
  let attempt = 0;
  try {
    while (!done.aborted) {
      const outcome = await watchOnce(client, after, flags.folder ?? '', flags.follow === true, io, done, (sequence) => {
        after = sequence;
        attempt = 0;
      });
      if (outcome.caughtUp || done.aborted) return 0;
      if (fatalCodes.has(outcome.code)) {
        io.stderr.write(`redis-backup-mirror events: ${grpc.status[outcome.code]}: ${outcome.details}\n`);
        return 1;
      }
      attempt++;
      const delay = backoffDelay(attempt, backoff);
      io.stderr.write(`redis-backup-mirror events: stream ended (${grpc.status[outcome.code]}: ${outcome.details}); reconnecting in ${delay} ms after sequence ${after}\n`);
      await sleep(delay, done).catch(() => undefined);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    client.close();
  }
}

/** One Watch stream, until it fails, ends, is stopped, or (without follow) catches up. */
function watchOnce(
  client: WatchStub,
  after: number,
  folderId: string,
  follow: boolean,
  io: CommandIo,
  stop: AbortSignal,
  onProgress: (sequence: number) => void,
): Promise<StreamOutcome> {
  return new Promise<StreamOutcome>((resolve) => {
    let last = after;
    const call = client.Watch({ after_sequence: after, folder_id: folderId });
    const cancel = (): void => call.cancel();
    stop.addEventListener('abort', cancel, { once: true });
    const finish = (outcome: StreamOutcome): void => {
      stop.removeEventListener('abort', cancel);
      resolve(outcome);
    };
    call.on('data', (message: WireWatchResponse) => {
      if (message.event != null) {
        const event = eventFromWire(message.event);
        if (event.sequence <= last) return; // never print an event twice
        last = event.sequence;
        const flowing = io.stdout.write(`${JSON.stringify(eventToJson(event))}\n`);
        onProgress(event.sequence);
        if (!flowing) {
          // Stop reading until stdout drains: the server then stops reading its log too.
          call.pause();
          io.stdout.once('drain', () => call.resume());
        }
      } else if (message.progress != null) {
        onProgress(last);
        if (!follow) {
          call.cancel();
          finish({ caughtUp: true });
        }
      }
    });
    call.on('error', (err: grpc.ServiceError) => finish({ caughtUp: false, code: err.code, details: err.details }));
    call.on('end', () => finish({ caughtUp: false, code: grpc.status.UNAVAILABLE, details: 'the server ended the stream' }));
  });
}

/** Plaintext unless a TLS flag is given; --tls-cert and --tls-key (mutual TLS) go together. */
function clientCredentials(ca: string | undefined, cert: string | undefined, key: string | undefined): grpc.ChannelCredentials {
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(`events: --tls-cert and --tls-key go together (missing ${cert === undefined ? '--tls-cert' : '--tls-key'})`);
  }
  if (ca === undefined && cert === undefined) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(
    ca === undefined ? null : readFlagFile('tls-ca', ca),
    key === undefined ? null : readFlagFile('tls-key', key),
    cert === undefined ? null : readFlagFile('tls-cert', cert),
  );
}

function readFlagFile(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`events: --${flag} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
