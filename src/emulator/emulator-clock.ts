import { performance } from 'node:perf_hooks';
import { dayMs } from './backup-schedule.js';

/** The default start of emulated time: 2026-12-01T12:00:00Z, far from the 22:00 backup window. */
export const defaultStartMs = Date.UTC(2026, 11, 1, 12, 0, 0);

/**
 * Emulated wall-clock time, milliseconds since the epoch. Manual by default (moves only
 * on advance/set), or fast: one simulated day passes every `dayEveryMs` real milliseconds.
 */
export class EmulatorClock {
  private baseMs: number;
  private realBase = performance.now();

  /**
   * @param startMs initial emulated time (ms since the epoch; default {@link defaultStartMs})
   * @param dayEveryMs real ms per simulated day; undefined keeps the clock manual
   */
  constructor(startMs: number = defaultStartMs, private readonly dayEveryMs?: number) {
    if (!Number.isFinite(startMs)) throw new RangeError(`start: must be a finite number of ms, got ${startMs}`);
    if (dayEveryMs !== undefined && !(dayEveryMs > 0)) {
      throw new RangeError(`dayEveryMs: must be > 0, got ${dayEveryMs}`);
    }
    this.baseMs = startMs;
  }

  /** Whether time passes on its own (fast mode). */
  get fast(): boolean {
    return this.dayEveryMs !== undefined;
  }

  /** Current emulated time, ms since the epoch (whole milliseconds). */
  now(): number {
    if (this.dayEveryMs === undefined) return this.baseMs;
    const elapsedReal = performance.now() - this.realBase;
    return this.baseMs + Math.floor((elapsedReal * dayMs) / this.dayEveryMs);
  }

  /** Moves emulated time forward (or back, if negative) by `ms`; returns the new time. */
  advance(ms: number): number {
    return this.set(this.now() + ms);
  }

  /** Sets emulated time to `ms` since the epoch; fast mode keeps running from there. */
  set(ms: number): number {
    if (!Number.isFinite(ms)) throw new RangeError(`clock: time must be finite, got ${ms}`);
    this.baseMs = Math.floor(ms);
    this.realBase = performance.now();
    return this.baseMs;
  }
}
