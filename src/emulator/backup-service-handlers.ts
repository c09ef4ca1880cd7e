import { randomBytes, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type {
  WireBackup,
  WireGetBackupRequest,
  WireListBackupsRequest,
  WireListBackupsResponse,
} from '../upstream/proto.js';
import { backupToWire } from '../upstream/backup-codec.js';
import type { Catalog } from './catalog.js';
import type { FaultController } from './fault-controller.js';
import type { EmulatorMethod, EmulatorStats } from './emulator-stats.js';
import { composePage } from './list-page.js';
import type { PageDistortion } from './list-page.js';
import { encodePageToken } from './page-token.js';
import { validateGetRequest, validateListRequest } from './request-validation.js';
import type { ListPlan, RequestError } from './request-validation.js';
import { unauthenticatedMessage } from './emulator-auth.js';

/** What the handlers read and update. */
export interface HandlerDeps {
  readonly catalog: Catalog;
  readonly faults: FaultController;
  readonly stats: EmulatorStats;
  /** Returns whether the call's metadata is authenticated; undefined = no auth. */
  readonly authenticate: ((metadata: grpc.Metadata) => boolean) | undefined;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: RequestError };

/** grpc-js handlers for `yandex.cloud.mdb.redis.v1.BackupService` (List, Get). */
export function backupServiceHandlers(deps: HandlerDeps): grpc.UntypedServiceImplementation {
  const list: grpc.handleUnaryCall<WireListBackupsRequest, WireListBackupsResponse> = (call, callback) => {
    serve('List', call, callback, deps, () => answerList(deps, call.request));
  };
  const get: grpc.handleUnaryCall<WireGetBackupRequest, WireBackup> = (call, callback) => {
    serve('Get', call, callback, deps, () => answerGet(deps, call.request));
  };
  return { List: list, Get: get };
}

/** Common call flow: count, delay (cancellable), authenticate, answer, stamp x-request-id. */
function serve<Req, Res>(
  method: EmulatorMethod,
  call: grpc.ServerUnaryCall<Req, Res>,
  callback: grpc.sendUnaryData<Res>,
  deps: HandlerDeps,
  answer: () => Outcome<Res>,
): void {
  deps.stats.record(method, call.metadata);
  waitUnlessCancelled(call, deps.faults.delayMs())
    .then((proceed) => {
      if (!proceed) {
        deps.stats.cancelledCalls += 1;
        return;
      }
      const metadata = responseMetadata();
      call.sendMetadata(metadata);
      const outcome: Outcome<Res> =
        deps.authenticate !== undefined && !deps.authenticate(call.metadata)
          ? { ok: false, error: { code: grpc.status.UNAUTHENTICATED, details: unauthenticatedMessage } }
          : answer();
      if (outcome.ok) callback(null, outcome.value);
      else callback({ code: outcome.error.code, details: outcome.error.details, metadata: metadata.clone() });
    })
    .catch((err: unknown) => {
      // A bug in the emulator itself: report it like the cloud reports its own failures.
      callback({ code: grpc.status.INTERNAL, details: `emulator: ${err instanceof Error ? err.message : String(err)}` });
    });
}

function answerList(deps: HandlerDeps, request: WireListBackupsRequest): Outcome<WireListBackupsResponse> {
  const validated = validateListRequest(request);
  if (!validated.ok) return validated;
  const plan = validated.value;
  const { faults } = deps;
  const page = plan.cursor.pageIndex;
  faults.noteToken(plan.folderId, page, request.page_token);
  const failure = faults.takePageFault('failPage', plan.folderId, page);
  if (failure !== undefined) return { ok: false, error: faults.pageError(failure) };
  const response = composePage(deps.catalog, plan, distortionFor(deps, plan, request.page_token));
  deps.stats.pagesServed += 1;
  return { ok: true, value: response };
}

function distortionFor(deps: HandlerDeps, plan: ListPlan, requestToken: string): PageDistortion {
  const { faults } = deps;
  const { folderId } = plan;
  const page = plan.cursor.pageIndex;
  const move = faults.takePageFault('move', folderId, page);
  const malformed = faults.takePageFault('malformed', folderId, page);
  const loop = faults.takePageFault('loopToken', folderId, page);
  let loopToken: string | undefined;
  if (loop !== undefined) {
    const toPage = Math.min(Math.max(1, loop.toPage ?? page), Math.max(1, page));
    loopToken =
      faults.seenToken(folderId, toPage) ??
      (requestToken !== '' ? requestToken : encodePageToken(folderId, { pageIndex: 1, lastId: '' }));
  }
  return {
    duplicate: faults.takePageFault('duplicate', folderId, page) !== undefined,
    skip: move?.count ?? 0,
    ...(loopToken === undefined ? {} : { loopToken }),
    ...(malformed === undefined ? {} : { malformed: malformed.kind }),
  };
}

function answerGet(deps: HandlerDeps, request: WireGetBackupRequest): Outcome<WireBackup> {
  const validated = validateGetRequest(request);
  if (!validated.ok) return validated;
  const id = validated.value;
  const failure = deps.faults.takeGetFailure(id);
  if (failure !== undefined) return { ok: false, error: failure };
  const backup = deps.catalog.get(id);
  if (backup === undefined) {
    return { ok: false, error: { code: grpc.status.NOT_FOUND, details: `backup_id: backup "${id}" not found` } };
  }
  return { ok: true, value: backupToWire(backup) };
}

/** The cloud tags every response with a request id (and a trace id) for support tickets. */
function responseMetadata(): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('x-request-id', randomUUID());
  md.set('x-server-trace-id', randomBytes(8).toString('hex'));
  return md;
}

/** Resolves true after `ms`, or false as soon as the call is cancelled (client gone, deadline). */
function waitUnlessCancelled(call: grpc.ServerUnaryCall<unknown, unknown>, ms: number): Promise<boolean> {
  if (call.cancelled) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onCancel = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      call.off('cancelled', onCancel);
      resolve(true);
    }, ms);
    call.once('cancelled', onCancel);
  });
}
