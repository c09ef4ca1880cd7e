import cron, { type ScheduledTask } from 'node-cron';

/** What the scheduler drives: anything that runs one pass at a time and says when it is busy. */
export interface PassRunner {
  readonly busy: boolean;
  runPass(): Promise<unknown>;
}

export interface PassSchedulerOptions {
  /** Cron expression, 5 fields or 6 with seconds first (already validated by the config). */
  readonly schedule: string;
  /** Start one pass right away (default true in the config). */
  readonly runOnStart: boolean;
  readonly runner: PassRunner;
  /** A tick arrived while the previous pass was still running: it was skipped. */
  readonly onSkipped: () => void;
  /** A pass failed as a whole (not a folder's failure, which the outcome reports). */
  readonly onError: (err: unknown) => void;
}

/**
 * Drives passes on a cron schedule. A tick that arrives while a pass is running is skipped
 * and counted, never stacked: passes never overlap and never queue up behind a slow one.
 */
export class PassScheduler {
  private task: ScheduledTask | null = null;

  constructor(private readonly options: PassSchedulerOptions) {}

  start(): void {
    this.task = cron.schedule(this.options.schedule, () => this.tick(), { name: 'redis-backup-mirror sync' });
    if (this.options.runOnStart) this.tick();
  }

  /** Stops scheduling new passes (a running one is the engine's to abort). */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = null;
    await task?.destroy();
  }

  /** One tick: start a pass unless one is running. */
  tick(): void {
    if (this.options.runner.busy) {
      this.options.onSkipped();
      return;
    }
    this.options.runner.runPass().catch(this.options.onError);
  }
}
