// Time source for TTLs, leases and timers (Vault's clock abstraction), injected so tests never sleep.

/** A scheduled callback that can be cancelled before it fires. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once after `delayMs`. The timer never keeps the process alive. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

/** Node's setTimeout overflows past 2^31-1 ms (24.8 days); Vault's default TTL is 32 days. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** The real clock: `Date.now()` and unref'd timers that split delays longer than Node allows. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimer(delayMs, fn) {
      let cancelled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const dueAtMs = Date.now() + Math.max(0, delayMs);
      const arm = (): void => {
        const remainingMs = dueAtMs - Date.now();
        if (remainingMs <= 0) {
          timer = undefined;
          if (!cancelled) fn();
          return;
        }
        timer = setTimeout(arm, Math.min(remainingMs, MAX_TIMER_DELAY_MS));
        timer.unref();
      };
      arm();
      return {
        cancel() {
          cancelled = true;
          if (timer !== undefined) clearTimeout(timer);
        },
      };
    },
  };
}
