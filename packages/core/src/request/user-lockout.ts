// User lockout (vault/request_handling.go isUserLocked / failedUserLoginProcess): after repeated
// wrong credentials an alias is refused for a while, whatever it presents.
import { BoundedMemo } from '@coffer/sdk';
import type { UserLockoutConfig } from '../mounts/mount-entry.js';

/** Vault's defaults (configutil.UserLockout*Default): on for userpass and AppRole. */
export const DEFAULT_USER_LOCKOUT: Readonly<UserLockoutConfig> = { threshold: 5, durationSec: 900, counterResetSec: 900, disabled: false };

interface FailedLogins {
  count: number;
  lastFailureMs: number;
}

/** How many aliases' failure counts are remembered: attacker-chosen names must not grow memory without bound. */
const TRACKED_ALIASES = 100_000;

/**
 * Failure counts per (auth mount accessor, alias), in this process's memory. Logins of one
 * alias are counted together however they are spelled, because the alias is the method's own
 * normalised name (the lookahead), as CVE-2025-6004's fix requires.
 */
export class UserLockout {
  readonly #failures = new BoundedMemo<string, FailedLogins>(TRACKED_ALIASES);

  isLocked(key: string, config: UserLockoutConfig, nowMs: number): boolean {
    const failed = this.#failures.get(key);
    if (!failed || failed.count < config.threshold) return false;
    if (nowMs - failed.lastFailureMs < config.durationSec * 1000) return true;
    // The lockout ran out: the next wrong password starts a new count.
    this.#failures.delete(key);
    return false;
  }

  recordFailure(key: string, config: UserLockoutConfig, nowMs: number): void {
    const failed = this.#failures.get(key);
    if (!failed || nowMs - failed.lastFailureMs >= config.counterResetSec * 1000) this.#failures.set(key, { count: 1, lastFailureMs: nowMs });
    else this.#failures.set(key, { count: failed.count + 1, lastFailureMs: nowMs });
  }

  recordSuccess(key: string): void {
    this.#failures.delete(key);
  }

  /** Forgets every count (seal). */
  clear(): void {
    this.#failures.clear();
  }
}
