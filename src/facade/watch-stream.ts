import { setImmediate } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log/logger.js';
import type { CommitSignal } from '../mirror/commit-signal.js';
import type { MirrorStore } from '../store/mirror-store.js';
import { eventToWire, progressToWire, type WireWatchResponse } from './event-wire.js';
import type { FolderDirectory } from './folder-directory.js';
import { quoted, validateWatchRequest } from './request-rules.js';
import { ServerError, toServiceError } from './server-error.js';

export interface WatchDeps {
  readonly store: MirrorStore;
  readonly directory: FolderDirectory;
  readonly commits: CommitSignal;
  readonly logger: Logger;
  /** A progress message is sent after this long without any message, ms. */
  readonly progressIntervalMs: number;
  /** Events read from the log per query (the most a stream holds in memory beyond the transport's buffer). */
  readonly batchSize: number;
}

type WatchCall = grpc.ServerWritableStream<Record<string, unknown> | null, WireWatchResponse>;

/** Why a stream stopped without an error of its own. */
const clientGone = Symbol('client cancelled');
export const shuttingDown = Symbol('facade shutting down');

/**
 * The Watch handler. Each stream registers an AbortController in `open`; aborting it with
 * {@link shuttingDown} ends the stream with UNAVAILABLE so the client resumes elsewhere.
 */
export function watchHandler(deps: WatchDeps, open: Set<AbortController>): grpc.handleServerStreamingCall<Record<string, unknown> | null, WireWatchResponse> {
  return (call) => {
    const stop = new AbortController();
    const onCancel = (): void => stop.abort(clientGone);
    call.on('cancelled', onCancel);
    open.add(stop);
    streamEvents(call, deps, stop.signal)
      .catch((err: unknown) => {
        if (stop.signal.reason === clientGone) return;
        const status =
          stop.signal.reason === shuttingDown
            ? { code: grpc.status.UNAVAILABLE, details: 'the mirror is shutting down; resume with after_sequence = the last sequence received' }
            : toServiceError(err, 'MirrorService.Watch', deps.logger);
        call.emit('error', status);
      })
      .finally(() => {
        open.delete(stop);
        call.off('cancelled', onCancel);
      });
  };
}

/**
 * Replays the log after the requested sequence, then follows it. Events are read in
 * batches only when the transport has drained what was written before (call.write()
 * returning false), so a slow consumer holds back reading instead of growing a buffer.
 * Never returns normally: it ends by an abort (client gone, shutdown) or an error.
 */
async function streamEvents(call: WatchCall, deps: WatchDeps, signal: AbortSignal): Promise<void> {
  const { store, directory } = deps;
  const plan = validateWatchRequest(call.request);
  if (plan.folderId !== undefined && directory.get(plan.folderId) === undefined) {
    throw new ServerError(grpc.status.NOT_FOUND, `folder_id: folder ${quoted(plan.folderId)} is not mirrored by this instance`);
  }
  const startHead = store.headSequence();
  if (plan.afterSequence > startHead) {
    throw new ServerError(grpc.status.OUT_OF_RANGE, `after_sequence: ${plan.afterSequence} is beyond the head sequence ${startHead}`);
  }
  let after = plan.afterSequence;
  let caughtUp = false;
  let lastSentAt = Date.now();
  const send = async (message: WireWatchResponse): Promise<void> => {
    lastSentAt = Date.now();
    if (!call.write(message)) await drained(call, signal);
  };
  // Subscribed for the stream's whole life, so a commit published while the stream is
  // busy (reading, waiting for drain) is not missed.
  let committed = false;
  let wake: (() => void) | undefined;
  const unsubscribe = deps.commits.subscribe(() => {
    committed = true;
    wake?.();
  });
  try {
    for (;;) {
      signal.throwIfAborted();
      committed = false;
      // The head is read BEFORE the events: if none follow `after`, every event up to this
      // head has been sent, which is what a progress message promises.
      const head = store.headSequence();
      // Read unfiltered and filter here: a folder's sparse events never make one query
      // scan a long stretch of the log (which would stall every other call).
      const batch = store.events(after, { limit: deps.batchSize });
      if (batch.length > 0) {
        let sent = false;
        for (const event of batch) {
          signal.throwIfAborted();
          if (plan.folderId === undefined || event.folderId === plan.folderId) {
            await send(eventToWire(event));
            sent = true;
          }
          after = event.sequence;
        }
        // Nothing written means no drain to wait for: yield so other calls get their turn.
        if (!sent) await setImmediate();
        continue;
      }
      after = Math.max(after, head);
      if (!caughtUp || Date.now() - lastSentAt >= deps.progressIntervalMs) {
        caughtUp = true;
        await send(progressToWire(after));
      }
      if (committed) continue;
      await idle(Math.max(1, lastSentAt + deps.progressIntervalMs - Date.now()), signal, (resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}

/** Resolves on the transport's 'drain'; rejects when the stream is aborted first. */
function drained(call: WatchCall, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      if (signal.aborted) reject(signal.reason);
      else resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done);
  });
}

/** Resolves after `ms` or when the function handed to `onWake` is called; rejects when aborted. */
function idle(ms: number, signal: AbortSignal, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      if (signal.aborted) reject(signal.reason);
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
    onWake(done);
  });
}
