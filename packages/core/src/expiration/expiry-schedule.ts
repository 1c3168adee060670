// When each lease is next due (Vault keeps one time.AfterFunc per lease), driven by a single Clock timer.
//
// Why one timer over a min-heap instead of a timer per lease: the Clock is injected, and a
// clock's timer list need not be cheap at 50k entries (reliability.md L3) — TestClock scans
// its whole list on every step. Here a tick costs O(k log n) for the k leases due, an
// arm or re-arm O(log n), and exactly one timer is ever armed, so stop() has one to cancel.
import type { Clock, TimerHandle } from '@coffer/sdk';

interface HeapEntry {
  dueAtMs: number;
  leaseId: string;
  /** Order of insertion: ties fire first-scheduled first, like TestClock and Go timers. */
  seq: number;
}

export interface ExpirySchedule {
  /** Sets (or moves) the lease's due time. */
  set(leaseId: string, dueAtMs: number): void;
  /** Forgets the lease; its heap entry goes stale and is skipped. */
  delete(leaseId: string): void;
  dueAt(leaseId: string): number | undefined;
  /** Leases with a due time. */
  readonly size: number;
  /** Cancels the timer and forgets everything. */
  clear(): void;
}

/**
 * `onDue` is called, in due order, with each lease whose time has come; the lease is removed
 * from the schedule first (set it again to retry later).
 */
export function createExpirySchedule(clock: Clock, onDue: (leaseId: string) => void): ExpirySchedule {
  // The truth: one due time per lease. The heap may hold stale entries (moved or deleted
  // leases), skipped when they reach the top; this is cheaper than deleting from the middle.
  const due = new Map<string, number>();
  let heap: HeapEntry[] = [];
  let seq = 0;
  let armed: { handle: TimerHandle; dueAtMs: number } | undefined;

  const before = (a: HeapEntry, b: HeapEntry): boolean => a.dueAtMs < b.dueAtMs || (a.dueAtMs === b.dueAtMs && a.seq < b.seq);

  function push(entry: HeapEntry): void {
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  function pop(): HeapEntry | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
    return top;
  }

  const isLive = (entry: HeapEntry): boolean => due.get(entry.leaseId) === entry.dueAtMs;

  /** The earliest live entry, dropping stale ones on the way. */
  function peek(): HeapEntry | undefined {
    while (heap.length > 0 && !isLive(heap[0]!)) pop();
    return heap[0];
  }

  function compactIfStale(): void {
    // Renewals leave stale entries behind; rebuild once they outnumber the live ones.
    if (heap.length <= 1024 || heap.length <= 2 * due.size) return;
    const live = heap.filter(isLive);
    heap = [];
    for (const entry of live) push(entry);
  }

  function rearm(): void {
    const next = peek();
    if (next === undefined) {
      armed?.handle.cancel();
      armed = undefined;
      return;
    }
    // An armed timer that fires before the next due time is harmless: it only re-arms.
    if (armed !== undefined && armed.dueAtMs <= next.dueAtMs) return;
    armed?.handle.cancel();
    const dueAtMs = next.dueAtMs;
    armed = { dueAtMs, handle: clock.setTimer(Math.max(0, dueAtMs - clock.now()), fire) };
  }

  function fire(): void {
    armed = undefined;
    const nowMs = clock.now();
    const ready: string[] = [];
    for (let next = peek(); next !== undefined && next.dueAtMs <= nowMs; next = peek()) {
      pop();
      due.delete(next.leaseId);
      ready.push(next.leaseId);
    }
    rearm();
    for (const leaseId of ready) onDue(leaseId);
  }

  return {
    set(leaseId, dueAtMs) {
      if (due.get(leaseId) === dueAtMs) return;
      due.set(leaseId, dueAtMs);
      push({ dueAtMs, leaseId, seq: seq++ });
      compactIfStale();
      rearm();
    },
    delete(leaseId) {
      if (!due.delete(leaseId)) return;
      compactIfStale();
      rearm();
    },
    dueAt: (leaseId) => due.get(leaseId),
    get size() {
      return due.size;
    },
    clear() {
      armed?.handle.cancel();
      armed = undefined;
      due.clear();
      heap = [];
    },
  };
}
