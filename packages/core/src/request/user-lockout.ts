// User lockout (vault/request_handling.go isUserLocked / failedUserLoginProcess): after repeated
// wrong credentials an alias is refused for a while, whatever it presents.
import { BoundedMemo } from '@coffer/sdk';
import type { UserLockoutConfig } from '../mounts/mount-entry.js';

/** Vault's defaults (configutil.UserLockout*Default): on for userpass and AppRole. */
export const DEFAULT_USER_LOCKOUT: Readonly<UserLockoutConfig> = { threshold: 5, durationSec: 900, counterResetSec: 900, disabled: false };

interface Attempts {
  /** Wrong logins within the counter-reset window. */
  failures: number;
  /** Logins admitted and not answered yet. */
  pending: number;
  lastFailureMs: number;
}

/** How many aliases' counts below the threshold are remembered: attacker-chosen names must not grow memory without bound. */
const COUNTED_ALIASES = 100_000;

/**
 * Attempt counts per alias key, in this process's memory. The caller keys by auth mount and
 * the method's own normalised alias (the lookahead), hashed to a fixed size, so spellings of
 * one user share a count (CVE-2025-6004) and a huge name costs no more memory than a short one.
 *
 * Logins in flight count against the threshold too (`admit`), so a burst of guesses sent
 * together cannot slip past it: with threshold 5 at most five attempts of one alias are ever
 * being checked at once. Locked aliases are held apart from the evictable counts, so junk
 * logins under other names cannot push a lockout out.
 */
export class UserLockout {
  readonly #counting = new BoundedMemo<string, Attempts>(COUNTED_ALIASES);
  /** key -> when the lockout started */
  readonly #locked = new Map<string, number>();

  /**
   * Whether an attempt may go ahead: not while the alias is locked, nor while its failures and
   * the attempts in flight already reach the threshold. An admitted attempt must be ended with
   * `failed`, `succeeded` or `unrelated`.
   */
  admit(key: string, config: UserLockoutConfig, nowMs: number): boolean {
    const since = this.#locked.get(key);
    if (since !== undefined) {
      if (nowMs - since < config.durationSec * 1000) return false;
      this.#locked.delete(key);
    }
    const counted = this.#counting.get(key) ?? { failures: 0, pending: 0, lastFailureMs: nowMs };
    if (counted.failures > 0 && nowMs - counted.lastFailureMs >= config.counterResetSec * 1000) counted.failures = 0;
    if (counted.failures + counted.pending >= config.threshold) return false;
    this.#counting.set(key, { ...counted, pending: counted.pending + 1 });
    return true;
  }

  /** Wrong credentials: one more failure; reaching the threshold locks the alias. */
  failed(key: string, config: UserLockoutConfig, nowMs: number): void {
    const counted = this.#end(key);
    const failures = counted.failures + 1;
    if (failures >= config.threshold) {
      this.#locked.set(key, nowMs);
      this.#pruneLocked(config, nowMs);
      if (counted.pending === 0) this.#counting.delete(key);
      else this.#counting.set(key, { ...counted, failures: 0 });
    } else this.#counting.set(key, { ...counted, failures, lastFailureMs: nowMs });
  }

  /** The attempt logged in: the alias's failures start over. */
  succeeded(key: string): void {
    const counted = this.#end(key);
    if (counted.pending === 0) this.#counting.delete(key);
    else this.#counting.set(key, { ...counted, failures: 0 });
  }

  /** The attempt failed for another reason than its credentials (a CIDR block, storage): it does not count. */
  unrelated(key: string): void {
    const counted = this.#end(key);
    if (counted.pending === 0 && counted.failures === 0) this.#counting.delete(key);
    else this.#counting.set(key, counted);
  }

  /** Forgets every count and lockout (seal). */
  clear(): void {
    this.#counting.clear();
    this.#locked.clear();
  }

  /** The alias's counts with the ending attempt no longer in flight (nothing, if evicted meanwhile). */
  #end(key: string): Attempts {
    const counted = this.#counting.get(key) ?? { failures: 0, pending: 1, lastFailureMs: 0 };
    return { ...counted, pending: Math.max(0, counted.pending - 1) };
  }

  /** Drops lockouts that ran out, once there are many: each took `threshold` failed logins to make. */
  #pruneLocked(config: UserLockoutConfig, nowMs: number): void {
    if (this.#locked.size < COUNTED_ALIASES) return;
    for (const [key, since] of this.#locked) if (nowMs - since >= config.durationSec * 1000) this.#locked.delete(key);
  }
}
