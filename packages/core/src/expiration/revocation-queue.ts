// Background revocations with a bounded number in flight (Vault's fairshare job manager for lease expiry).
// Bounded because thousands of leases coming due at once — after a restart, say — must not
// start thousands of backend calls together (vault#5968, #9018: OOM and an unresponsive API).

export interface RevocationQueue {
  /** Queues a lease once; queuing it again while queued or running is a no-op. */
  add(leaseId: string): void;
  has(leaseId: string): boolean;
  /** Resolves when nothing is queued or running (including work queued meanwhile). */
  settled(): Promise<void>;
  /** Drops what has not started and resolves when what is running has finished. */
  drain(): Promise<void>;
  readonly pending: number;
}

/** `run` must not reject; failures are its own business (retry, irrevocable). */
export function createRevocationQueue(concurrency: number, run: (leaseId: string) => Promise<void>): RevocationQueue {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`revocation concurrency must be a positive integer: ${concurrency}`);
  // A Set keeps insertion order: it is the FIFO and the de-duplication at once, with O(1)
  // removal from the front (an array's shift() is O(n) with 50k leases due together).
  const queued = new Set<string>();
  const running = new Map<string, Promise<void>>();

  function pump(): void {
    while (running.size < concurrency && queued.size > 0) {
      const leaseId = queued.values().next().value as string;
      queued.delete(leaseId);
      const job = run(leaseId).finally(() => {
        running.delete(leaseId);
        pump();
      });
      running.set(leaseId, job);
    }
  }

  return {
    add(leaseId) {
      if (queued.has(leaseId) || running.has(leaseId)) return;
      queued.add(leaseId);
      pump();
    },
    has: (leaseId) => queued.has(leaseId) || running.has(leaseId),
    async settled() {
      while (running.size > 0 || queued.size > 0) await Promise.all(running.values());
    },
    async drain() {
      queued.clear();
      while (running.size > 0) await Promise.all(running.values());
    },
    get pending() {
      return queued.size + running.size;
    },
  };
}
