// Static roles' password rotation (Vault's rotation.go): on the mount's clock, by period or cron schedule, and again after a restart.
import { createKeyedMutex, randomUuid, VaultError, type BackendEnv, type TimerHandle } from '@coffer/sdk';
import type { ConnectionRegistry } from './connection-registry.js';
import type { CredentialPasswords } from './credential-passwords.js';
import { parseCronSchedule } from './cron-schedule.js';
import { pendingWork, staticRoles, type StaticRole } from './database-storage.js';
import { DatabaseOperationError } from './postgres-database.js';

/** Vault retries a failed rotation after ten seconds. */
const RETRY_AFTER_MS = 10_000;

/**
 * When the role is next due. A scheduled role whose time passed longer ago than its window
 * waits for the next scheduled time, as Vault skips a missed window.
 */
export function nextRotationMs(role: StaticRole, nowMs: number): number {
  if (!role.rotationSchedule) return role.lastVaultRotationMs + role.rotationPeriodSec * 1000;
  const schedule = parseCronSchedule(role.rotationSchedule);
  const due = schedule.next(role.lastVaultRotationMs);
  const windowMs = role.rotationWindowSec * 1000;
  // Missed: the first time whose window has not closed yet, which may be one open right now.
  if (windowMs > 0 && nowMs > due + windowMs) return schedule.next(nowMs - windowMs);
  return due;
}

/** A rotation run while the role is held: `role` for a role not stored yet (its creation). */
export type RotateHeld = (role?: StaticRole) => Promise<StaticRole>;

export class StaticRotations {
  private readonly due = new Map<string, number>();
  private readonly perRole = createKeyedMutex();
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly env: BackendEnv,
    private readonly registry: ConnectionRegistry,
    private readonly passwords: CredentialPasswords,
  ) {}

  /** Arms every stored static role: the queue lives in memory, so a restart rebuilds it from storage. */
  async start(): Promise<void> {
    const nowMs = this.env.clock.now();
    for (const name of await staticRoles.list(this.env.storage)) {
      try {
        const role = await staticRoles.read(this.env.storage, name);
        // A request may have scheduled the role meanwhile, from a fresher read than this one.
        if (role && !this.due.has(name)) this.due.set(name, nextRotationMs(role, nowMs));
      } catch (error) {
        // One unreadable role must not stop the others from rotating.
        this.env.logger.log('error', 'database: static role not scheduled', { role: name, error: error instanceof Error ? error.message : String(error) });
      }
    }
    this.arm();
  }

  schedule(name: string, role: StaticRole): void {
    if (this.stopped) return;
    this.due.set(name, nextRotationMs(role, this.env.clock.now()));
    this.arm();
  }

  unschedule(name: string): void {
    this.due.delete(name);
    this.arm();
  }

  /**
   * Runs `fn` with the role held: its writes, its deletion and its rotations never interleave, so
   * none writes back a password or a role another has replaced or removed meanwhile.
   */
  withRole<T>(name: string, fn: (rotate: RotateHeld) => Promise<T>): Promise<T> {
    return this.perRole.run(name, () => fn((role) => this.rotateHeld(name, role)));
  }

  /** Rotates now (rotate-role). */
  rotate(name: string): Promise<StaticRole> {
    return this.withRole(name, (rotate) => rotate());
  }

  /**
   * Sets a new password for the role's user and records it. The new password is written ahead
   * (a pending record) before the database changes, so a failure in between is finished by the
   * next attempt with the same password instead of leaving the vault without the live one.
   */
  private async rotateHeld(name: string, role?: StaticRole): Promise<StaticRole> {
    if (this.stopped) throw VaultError.sealed();
    const current = role ?? (await staticRoles.read(this.env.storage, name));
    if (!current) throw VaultError.invalid(`unknown role: ${name}`);
    const { config, database } = await this.registry.get(this.env.storage, current.dbName);
    const pending = await this.pendingFor(name);
    const walId = pending?.id ?? randomUuid(this.env.random);
    const newPassword = pending?.newPassword ?? (await this.passwords.generate(current.credentialConfig['password_policy'] || config.passwordPolicy));
    if (!pending) await pendingWork.write(this.env.storage, walId, { kind: 'static-rotation', role: name, newPassword, createdMs: this.env.clock.now() });
    try {
      await database.changePassword(current.username, newPassword, current.rotationStatements);
    } catch (error) {
      // PostgreSQL refused this attempt's statements, so nothing changed. A record from an earlier
      // attempt stays: that attempt may have set its password before it failed.
      if (!pending && error instanceof DatabaseOperationError && !error.connectionLost) await pendingWork.delete(this.env.storage, walId);
      throw error instanceof DatabaseOperationError ? VaultError.internal(`failed to rotate credentials for "${name}": ${error.message}`) : error;
    }
    const rotated: StaticRole = { ...current, password: newPassword, lastVaultRotationMs: this.env.clock.now() };
    await staticRoles.write(this.env.storage, name, rotated);
    await pendingWork.delete(this.env.storage, walId);
    this.schedule(name, rotated);
    return rotated;
  }

  /** Finishes the rotation a pending record stands for, if the record is still there. */
  finishPending(name: string, walId: string): Promise<void> {
    return this.withRole(name, async (rotate) => {
      const work = await pendingWork.read(this.env.storage, walId);
      if (!work) return;
      if (!(await staticRoles.read(this.env.storage, name))) {
        await pendingWork.delete(this.env.storage, walId);
        return;
      }
      await rotate();
    });
  }

  private async pendingFor(name: string): Promise<{ id: string; newPassword: string } | undefined> {
    for (const id of await pendingWork.list(this.env.storage)) {
      const work = await pendingWork.read(this.env.storage, id);
      if (work?.kind === 'static-rotation' && work.role === name) return { id, newPassword: work.newPassword };
    }
    return undefined;
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.stopped || this.running || this.due.size === 0) return;
    const earliest = Math.min(...this.due.values());
    this.timer = this.env.clock.setTimer(Math.max(0, earliest - this.env.clock.now()), () => {
      this.timer = undefined;
      this.running = this.rotateDue().finally(() => {
        this.running = undefined;
        this.arm();
      });
    });
  }

  private async rotateDue(): Promise<void> {
    for (const [name, dueMs] of [...this.due]) {
      if (this.stopped) return;
      if (dueMs > this.env.clock.now()) continue;
      try {
        await this.withRole(name, async (rotate) => {
          // Looked at again with the role held: a rotate-role may have just rotated it (and moved
          // its due time), a delete removed it. Every writer of `due` holds the role.
          const nowMs = this.env.clock.now();
          const current = this.due.get(name);
          if (current === undefined || current > nowMs) return;
          const role = await staticRoles.read(this.env.storage, name);
          if (!role) {
            this.due.delete(name);
            return;
          }
          // A retry after a failure is due by the retry time, but a scheduled role whose window
          // has closed meanwhile waits for its next time, as Vault's IsInsideRotationWindow.
          const next = nextRotationMs(role, nowMs);
          if (next > nowMs) {
            this.due.set(name, next);
            return;
          }
          await rotate(role);
        });
      } catch (error) {
        if (!this.stopped) this.due.set(name, this.env.clock.now() + RETRY_AFTER_MS);
        this.env.logger.log('error', 'database: static role rotation failed; will retry', { role: name, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** Stops rotating (unmount, seal) and waits for a rotation in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }
}
