import type { Metadata } from '@grpc/grpc-js';

/** BackupService methods the emulator serves. */
export type EmulatorMethod = 'List' | 'Get';

/**
 * Call counters and the last request metadata, for tests that check what a client sent
 * (auth header, user-agent, how many pages it fetched). Counts include refused calls.
 */
export class EmulatorStats {
  /** Calls received per method, including ones answered with an error. */
  readonly calls: Record<EmulatorMethod, number> = { List: 0, Get: 0 };
  /** List pages answered successfully. */
  pagesServed = 0;
  /** Calls the client cancelled (or whose deadline passed) while an injected delay held them. */
  cancelledCalls = 0;
  /** Metadata of the most recent request (any method), header name -> value. */
  lastMetadata: Readonly<Record<string, string>> | undefined;
  /** Metadata of the most recent request per method. */
  readonly lastMetadataByMethod: Partial<Record<EmulatorMethod, Readonly<Record<string, string>>>> = {};

  /** The user-agent the last request carried. */
  get lastUserAgent(): string | undefined {
    return this.lastMetadata?.['user-agent'];
  }

  /** Counts a call and keeps its metadata. */
  record(method: EmulatorMethod, metadata: Metadata): void {
    this.calls[method] += 1;
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(metadata.getMap())) {
      flat[key] = typeof value === 'string' ? value : value.toString('base64');
    }
    this.lastMetadata = flat;
    this.lastMetadataByMethod[method] = flat;
  }

  /** Zeroes the counters and forgets the metadata. */
  reset(): void {
    this.calls.List = 0;
    this.calls.Get = 0;
    this.pagesServed = 0;
    this.cancelledCalls = 0;
    this.lastMetadata = undefined;
    delete this.lastMetadataByMethod.List;
    delete this.lastMetadataByMethod.Get;
  }
}
