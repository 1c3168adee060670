// Requests in flight per limited-use token (vault-api.md §2.3 num_uses), so an exhausted token is revoked only after the last one.

/**
 * Requests in flight per limited-use token. A token whose last use is taken is revoked when
 * the last of its admitted requests finishes, so that none of them fails half-way.
 */
export function createInFlightCounter() {
  const running = new Map<string, { count: number; exhausted: boolean }>();
  return {
    begin(idHash: string): void {
      const state = running.get(idHash) ?? { count: 0, exhausted: false };
      state.count++;
      running.set(idHash, state);
    },
    /** Whether the token should be revoked now. */
    end(idHash: string, tookLastUse: boolean): boolean {
      const state = running.get(idHash)!;
      state.count--;
      state.exhausted ||= tookLastUse;
      if (state.count > 0) return false;
      running.delete(idHash);
      return state.exhausted;
    },
  };
}
