/**
 * Timers on the local clock (real time plus the offset `POST /_local/clock` adds): human-step deadlines
 * and Wait states fire when the local clock passes their time, so advancing the clock by 15 days times
 * out a 14-day review at once, and nothing ever waits days of real time in a test.
 *
 * Node's setTimeout overflows past 2^31-1 ms (about 24.8 days) and then fires at once; a timer here is
 * a chain of real timers of at most that length, each checking the local clock when it fires, so a
 * deadline can be a year away.
 */

/** The longest delay Node's setTimeout honours (ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

interface Pending {
  at: number;
  fire: () => void;
  timer?: NodeJS.Timeout;
}

export class ClockTimers {
  private readonly pending = new Set<Pending>();

  /** `now` is the local clock in epoch ms (default: real time, as in the workflow tests). */
  constructor(readonly now: () => number = Date.now) {}

  /** Calls `fire` once the local clock reaches `at` (epoch ms); returns a cancel function. */
  at(at: number, fire: () => void): () => void {
    const entry: Pending = { at, fire };
    this.pending.add(entry);
    this.arm(entry);
    return () => this.drop(entry);
  }

  /** A promise that settles once the local clock reaches `at`. */
  until(at: number): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.at(at, resolve);
    return promise;
  }

  /** The local clock moved (or may have): fire everything now due, re-arm the rest. */
  check(): void {
    const now = this.now();
    for (const entry of [...this.pending]) {
      if (entry.at <= now) {
        this.drop(entry);
        entry.fire();
      } else {
        this.arm(entry);
      }
    }
  }

  /** How many timers are waiting (tests, views). */
  get size(): number {
    return this.pending.size;
  }

  private arm(entry: Pending): void {
    if (entry.timer) clearTimeout(entry.timer);
    const remaining = entry.at - this.now();
    if (remaining <= 0) {
      // Fired on the next turn, not inside at(): the caller finishes registering first.
      entry.timer = setTimeout(() => this.check(), 0);
    } else {
      entry.timer = setTimeout(() => this.check(), Math.min(remaining, MAX_TIMER_MS));
    }
    entry.timer.unref();
  }

  private drop(entry: Pending): void {
    if (entry.timer) clearTimeout(entry.timer);
    this.pending.delete(entry);
  }
}
