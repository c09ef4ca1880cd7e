/**
 * Tells readers (Watch streams, metrics caches) that passes committed new events. The
 * daemon publishes the new head sequence after each commit, whichever thread made it;
 * readers then read the log themselves, so nothing is buffered here.
 */
export class CommitSignal {
  private readonly listeners = new Set<(head: number) => void>();
  private last = 0;

  /** The last head sequence published (0 before any). */
  get head(): number {
    return this.last;
  }

  /** Announces a new head sequence; listeners are called synchronously, errors are theirs. */
  publish(head: number): void {
    if (head <= this.last) return;
    this.last = head;
    for (const listener of this.listeners) listener(head);
  }

  /** Calls `listener` on each new head until the returned function is called. */
  subscribe(listener: (head: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
