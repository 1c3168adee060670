// User lockout (vault/request_handling.go isUserLocked / failedUserLoginProcess): after repeated
// wrong credentials an alias is refused for a while, whatever it presents.
import { BoundedMemo } from '@coffer/sdk';
import type { UserLockoutConfig } from '../mounts/mount-entry.js';

/** Vault's defaults (configutil.UserLockout*Default): on for userpass and AppRole. */
export const DEFAULT_USER_LOCKOUT: Readonly<UserLockoutConfig> = { threshold: 5, durationSec: 900, counterResetSec: 900, disabled: false };

interface Failures {
  /** Wrong logins within the counter-reset window. */
  count: number;
  lastMs: number;
}

/** How many aliases' counts below the threshold are remembered: attacker-chosen names must not grow memory without bound. */
const COUNTED_ALIASES = 100_000;

/**
 * Failure counts per alias key, in this process's memory, as Vault counts them: only wrong
 * credentials count, so any number of good logins may run at once. The caller keys by auth
 * mount and the method's own normalised alias (the lookahead), hashed to a fixed size, so
 * spellings of one user share a count (CVE-2025-6004) and a huge name costs no more memory than
 * a short one. Locked aliases are held apart from the evictable counts, so junk logins under
 * other names cannot push a lockout out.
 *
 * A burst of guesses sent together all run before their failures are counted; the caller asks
 * `isLocked` again before minting a token, so a right guess that finishes after the threshold
 * was reached gets nothing: the burst gains no more than the threshold's worth of tries.
 */
export class UserLockout {
  readonly #counting = new BoundedMemo<string, Failures>(COUNTED_ALIASES);
  /** key -> when the lockout started */
  readonly #locked = new Map<string, number>();

  /** Whether the alias is locked now; a lockout that ran out is forgotten. */
  isLocked(key: string, config: UserLockoutConfig, nowMs: number): boolean {
    const since = this.#locked.get(key);
    if (since === undefined) return false;
    if (nowMs - since < config.durationSec * 1000) return true;
    this.#locked.delete(key);
    return false;
  }

  /** Wrong credentials: one more failure; reaching the threshold locks the alias. */
  failed(key: string, config: UserLockoutConfig, nowMs: number): void {
    const counted = this.#counting.get(key);
    const count = !counted || nowMs - counted.lastMs >= config.counterResetSec * 1000 ? 1 : counted.count + 1;
    if (count < config.threshold) {
      this.#counting.set(key, { count, lastMs: nowMs });
      return;
    }
    this.#counting.delete(key);
    // A lockout already running keeps its start: late failures of a burst do not extend it.
    if (!this.#locked.has(key)) this.#locked.set(key, nowMs);
    this.#pruneLocked(config, nowMs);
  }

  /** The alias logged in: its failures start over. */
  succeeded(key: string): void {
    this.#counting.delete(key);
  }

  /** Forgets every count and lockout (seal). */
  clear(): void {
    this.#counting.clear();
    this.#locked.clear();
  }

  /** Drops lockouts that ran out, once there are many: each took `threshold` failed logins to make. */
  #pruneLocked(config: UserLockoutConfig, nowMs: number): void {
    if (this.#locked.size < COUNTED_ALIASES) return;
    for (const [key, since] of this.#locked) if (nowMs - since >= config.durationSec * 1000) this.#locked.delete(key);
  }
}
