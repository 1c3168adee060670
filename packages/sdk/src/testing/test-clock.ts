// A manual clock for TTL and lease tests: time moves only when the test says so.
import type { Clock, TimerHandle } from '../clock.js';

interface PendingTimer {
  id: number;
  dueAtMs: number;
  fn: () => void;
}

export class TestClock implements Clock {
  private nowMs: number;
  private nextId = 0;
  private pending: PendingTimer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer = { id: this.nextId++, dueAtMs: this.nowMs + Math.max(0, delayMs), fn };
    this.pending.push(timer);
    return {
      cancel: () => {
        this.pending = this.pending.filter((t) => t !== timer);
      },
    };
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.pending.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in due-time order (ties in the order they
   * were set), each with `now()` at its due time. Timers set by a firing timer fire too when
   * they fall inside the window. Resolves after the microtasks the timers started settle.
   */
  async advance(ms: number): Promise<void> {
    const targetMs = this.nowMs + ms;
    for (;;) {
      const next = this.pending
        .filter((t) => t.dueAtMs <= targetMs)
        .sort((a, b) => a.dueAtMs - b.dueAtMs || a.id - b.id)[0];
      if (!next) break;
      this.pending = this.pending.filter((t) => t !== next);
      this.nowMs = Math.max(this.nowMs, next.dueAtMs);
      next.fn();
      await settle();
    }
    this.nowMs = targetMs;
    await settle();
  }

  /** `advance` in seconds, the unit of every Vault TTL. */
  advanceSec(sec: number): Promise<void> {
    return this.advance(sec * 1000);
  }
}

/** Lets promise chains started by timers run (a few macrotask turns, no wall-clock wait). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
