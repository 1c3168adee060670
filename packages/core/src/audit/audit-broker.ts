// Vault's audit table and broker (vault/audit.go, audit/broker.go): enable/disable devices, per-device salts, fail-closed logging.
import type { Storage } from '@coffer/storage';
import { fromUtf8, randomUuid, utf8, VaultError, type Clock, type Crypto, type Logger, type Random } from '@coffer/sdk';
import { createStorageView, clearStorage } from '../storage-view.js';
import type { AuditDevice, AuditDeviceFactory } from './audit-device.js';
import { encodeAuditLine, formatRequestEntry, formatResponseEntry, type AuditEntry, type AuditRequestInput, type AuditResponseInput } from './audit-entry.js';
import { hmacAuditValue } from './audit-hash.js';
import { parseFormatSettings, type AuditFormatSettings } from './audit-options.js';
import { createFileDevice } from './file-device.js';
import { createSocketDevice } from './socket-device.js';

/** Barrier key of the audit table. */
export const AUDIT_TABLE_KEY = 'core/audit';
/** Each device's salt lives in its own view, `audit/<uuid>/salt` (vault-api.md §2.11). */
const AUDIT_VIEW_PREFIX = 'audit/';
const SALT_KEY = 'salt';

/** What the client sees when auditing fails: Vault answers a bare `internal error` (ErrInternalError). */
export const AUDIT_CLIENT_ERROR = 'internal error';
/** The broker's own wording, kept as the error's cause and in the log. */
export const AUDIT_REQUEST_FAILED = 'no audit backend succeeded in logging the request';
export const AUDIT_RESPONSE_FAILED = 'no audit backend succeeded in logging the response';

/** One row of the persisted audit table. */
export interface AuditTableEntry {
  /** With trailing slash, e.g. `file/`. */
  path: string;
  type: string;
  description: string;
  local: boolean;
  options: Record<string, string>;
  /** Names the device's storage view; a new one on every enable, hence a new salt. */
  uuid: string;
}

export interface AuditEnableConfig {
  type: string;
  description?: string;
  local?: boolean;
  options?: Readonly<Record<string, string>>;
}

/** The A1 (`GET sys/audit`) row. */
export interface AuditListing {
  type: string;
  description: string;
  options: Record<string, string>;
  local: boolean;
  path: string;
}

export interface AuditBrokerDeps {
  /** The barrier (never the raw adapter): the table and salts are secrets. */
  storage: Storage;
  crypto: Crypto;
  random: Random;
  clock: Clock;
  logger: Logger;
  /** Per-entry write deadline per device; defaults to AUDIT_WRITE_DEADLINE_MS. */
  writeDeadlineMs?: number;
  /** Extra device types by name, e.g. for an in-process sink; `file` and `socket` are built in. */
  deviceTypes?: Readonly<Record<string, AuditDeviceFactory>>;
  /**
   * Lets `enable` accept the `prefix` option. Off by default, as in Vault ≥ 1.20.1, where
   * a prefix plus a file path turned the audit log into an executable (CVE-2025-6000).
   */
  allowAuditLogPrefixing?: boolean;
}

const BUILTIN_TYPES: Readonly<Record<string, AuditDeviceFactory>> = { file: createFileDevice, socket: createSocketDevice };

/** The option naming a device's sink: two devices writing the same sink would garble it. */
const SINK_OPTION: Readonly<Record<string, string>> = { file: 'file_path', socket: 'address' };

interface LiveDevice {
  entry: AuditTableEntry;
  device: AuditDevice;
  salt: string;
  settings: AuditFormatSettings;
}

/** `foo`, `/foo` and `foo/` all name `foo/`. */
function normalizeAuditPath(raw: string): string {
  const trimmed = raw.replace(/^\/+/, '');
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** A device that could not be rebuilt at unseal: it keeps the broker failing closed. */
function brokenDevice(reason: string): AuditDevice {
  return {
    write: () => Promise.reject(new Error(reason)),
    close: () => Promise.resolve(),
  };
}

function errorText(error: unknown): string {
  return error instanceof VaultError ? error.errors.join('; ') : error instanceof Error ? error.message : String(error);
}

/** How long one device may take to record one entry (Vault's default request timeout is 90 s; a log write is far shorter). */
export const AUDIT_WRITE_DEADLINE_MS = 10_000;

export function createAuditBroker(deps: AuditBrokerDeps) {
  const writeDeadlineMs = deps.writeDeadlineMs ?? AUDIT_WRITE_DEADLINE_MS;
  const types: Readonly<Record<string, AuditDeviceFactory>> = { ...BUILTIN_TYPES, ...deps.deviceTypes };
  const logger = deps.logger.child({ subsystem: 'audit' });
  /** Keyed by path, in enable order. */
  const devices = new Map<string, LiveDevice>();
  let lock: Promise<unknown> = Promise.resolve();

  /** Table changes run one at a time, so two enables cannot both pass the conflict check. */
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = lock.then(task, task);
    lock = run.catch(() => undefined);
    return run;
  }

  function saltView(uuid: string): Storage {
    return createStorageView(deps.storage, `${AUDIT_VIEW_PREFIX}${uuid}/`);
  }

  async function persist(entries: AuditTableEntry[]): Promise<void> {
    await deps.storage.put(AUDIT_TABLE_KEY, utf8(JSON.stringify(entries)));
  }

  function tableEntries(): AuditTableEntry[] {
    return [...devices.values()].map((d) => d.entry);
  }

  function build(entry: AuditTableEntry): { device: AuditDevice; settings: AuditFormatSettings } {
    const factory = Object.hasOwn(types, entry.type) ? types[entry.type] : undefined;
    if (!factory) throw VaultError.invalid(`unknown backend type: "${entry.type}"`);
    const settings = parseFormatSettings(entry.options);
    const device = factory({ path: entry.path, options: entry.options, logger: logger.child({ audit_device: entry.path }), clock: deps.clock });
    return { device, settings };
  }

  /** Formats per device (own salt, own options, own copy of the data) and writes; throws unless one device took it. */
  /**
   * A device that never answers counts as failed once the deadline passes (reliability.md F9c):
   * the request fails closed instead of hanging, and never goes on unaudited.
   */
  function withDeadline(write: Promise<void>, ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = deps.clock.setTimer(ms, () => reject(new Error(`audit device did not answer within ${ms} ms`)));
      write.then(
        () => {
          timer.cancel();
          resolve();
        },
        (error: unknown) => {
          timer.cancel();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  async function broadcast(format: (live: LiveDevice) => AuditEntry, what: 'request' | 'response'): Promise<void> {
    const live = [...devices.values()];
    if (live.length === 0) return;
    const results = await Promise.allSettled(
      live.map(async (d) => {
        // Formatting failures (a cycle in the data, say) count as this device failing.
        const line = encodeAuditLine(format(d), d.settings.prefix);
        await withDeadline(d.device.write(line), writeDeadlineMs);
      }),
    );
    let anyLogged = false;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') anyLogged = true;
      else logger.log('error', `backend failed to log ${what}`, { backend: live[i]!.entry.path, error: errorText(result.reason) });
    });
    if (anyLogged) return;
    const detail = what === 'request' ? AUDIT_REQUEST_FAILED : AUDIT_RESPONSE_FAILED;
    logger.log('error', `failed to audit ${what}`, { error: detail });
    // Fail closed: the caller must not proceed (request) or must not release the result (response).
    throw VaultError.internal(AUDIT_CLIENT_ERROR, new Error(detail));
  }

  function formatOptions(d: LiveDevice) {
    return {
      crypto: deps.crypto,
      salt: d.salt,
      clock: deps.clock,
      logRaw: d.settings.logRaw,
      hmacAccessor: d.settings.hmacAccessor,
      elideListResponses: d.settings.elideListResponses,
    };
  }

  return {
    /**
     * Enables a device (A2). Its sink is opened first, so an unwritable `file_path` is a
     * 400 here; then a fresh salt is stored and the table persisted before the device
     * receives entries.
     */
    enable(rawPath: string, config: AuditEnableConfig): Promise<void> {
      return exclusive(async () => {
        const path = normalizeAuditPath(rawPath);
        if (path === '/') throw VaultError.invalid('backend path must be specified');
        for (const existing of devices.keys()) {
          if (existing.startsWith(path) || path.startsWith(existing)) throw VaultError.invalid('path already in use');
        }
        const options: Record<string, string> = { ...config.options };
        if (Object.hasOwn(options, 'prefix') && !deps.allowAuditLogPrefixing) throw VaultError.invalid('audit log prefixing is not allowed');
        const sinkOption = SINK_OPTION[config.type];
        if (sinkOption && options[sinkOption] !== undefined) {
          for (const other of devices.values()) {
            const theirs = other.entry.type === config.type ? other.entry.options[sinkOption] : undefined;
            if (theirs !== undefined && theirs.trim().toLowerCase() === options[sinkOption]!.trim().toLowerCase()) {
              throw VaultError.invalid(`"${sinkOption}" "${options[sinkOption]}" already in use on device: "${other.entry.path}"`);
            }
          }
        }
        const entry: AuditTableEntry = {
          path,
          type: config.type,
          description: config.description ?? '',
          local: config.local ?? false,
          options,
          uuid: randomUuid(deps.random),
        };
        const { device, settings } = build(entry);
        try {
          await device.open?.();
        } catch (error) {
          await device.close().catch(() => undefined);
          throw VaultError.invalid(`sanity check failed; ${errorText(error)}`);
        }
        const salt = randomUuid(deps.random);
        const view = saltView(entry.uuid);
        try {
          await view.put(SALT_KEY, utf8(salt));
          await persist([...tableEntries(), entry]);
        } catch (error) {
          await clearStorage(view).catch(() => undefined);
          await device.close().catch(() => undefined);
          throw error;
        }
        devices.set(path, { entry, device, salt, settings });
        logger.log('info', 'enabled audit backend', { path, type: entry.type });
      });
    },

    /** Disables a device (A3); its salt is deleted, so old HMACs cannot be reproduced. False if none was there. */
    disable(rawPath: string): Promise<boolean> {
      return exclusive(async () => {
        const path = normalizeAuditPath(rawPath);
        const live = devices.get(path);
        if (!live) return false;
        await persist(tableEntries().filter((e) => e.path !== path));
        devices.delete(path);
        await live.device.close().catch((error: unknown) => logger.log('warn', 'closing audit device failed', { path, error: errorText(error) }));
        await clearStorage(saltView(live.entry.uuid));
        logger.log('info', 'disabled audit backend', { path });
        return true;
      });
    },

    /** A1's data: `{ "<path>/": {type, description, options, local, path} }`. */
    list(): Record<string, AuditListing> {
      const out: Record<string, AuditListing> = {};
      for (const { entry } of devices.values()) {
        out[entry.path] = { type: entry.type, description: entry.description, options: { ...entry.options }, local: entry.local, path: entry.path };
      }
      return out;
    },

    hasDevices(): boolean {
      return devices.size > 0;
    },

    /** A4: the HMAC the device at `path` logs for `input`. */
    hash(rawPath: string, input: string): string {
      const path = normalizeAuditPath(rawPath);
      const live = devices.get(path);
      if (!live) throw VaultError.invalid(`unknown audit backend "${path}"`);
      return hmacAuditValue(deps.crypto, live.salt, input);
    },

    /** Writes the request entry to every device. Throws a 500 if devices exist and none logged it. */
    logRequest(input: AuditRequestInput): Promise<void> {
      return broadcast((d) => formatRequestEntry(input, formatOptions(d)), 'request');
    },

    /** Writes the response entry to every device. Throws a 500 if devices exist and none logged it. */
    logResponse(input: AuditResponseInput): Promise<void> {
      return broadcast((d) => formatResponseEntry(input, formatOptions(d)), 'response');
    },

    /**
     * Restores the devices after unseal. A device whose sink cannot be opened now stays
     * registered and keeps retrying on each write, and one that cannot even be rebuilt
     * rejects every write: either way the broker fails closed rather than dropping it.
     */
    load(): Promise<void> {
      return exclusive(async () => {
        // A second load (unseal without a seal in between) replaces, never duplicates, the open sinks.
        const previous = [...devices.values()];
        devices.clear();
        await Promise.allSettled(previous.map((d) => d.device.close()));
        const bytes = await deps.storage.get(AUDIT_TABLE_KEY);
        if (!bytes) return;
        for (const entry of JSON.parse(fromUtf8(bytes)) as AuditTableEntry[]) {
          const view = saltView(entry.uuid);
          const stored = await view.get(SALT_KEY);
          let salt = stored ? fromUtf8(stored) : '';
          if (salt === '') {
            // Vault's salt helper creates a missing salt on first use.
            salt = randomUuid(deps.random);
            await view.put(SALT_KEY, utf8(salt));
          }
          let live: LiveDevice;
          try {
            live = { entry, salt, ...build(entry) };
          } catch (error) {
            const reason = `audit device ${entry.path} could not be set up: ${errorText(error)}`;
            logger.log('error', 'failed to create audit entry', { path: entry.path, error: errorText(error) });
            live = { entry, salt, device: brokenDevice(reason), settings: { logRaw: false, hmacAccessor: true, elideListResponses: false, prefix: '' } };
          }
          try {
            await live.device.open?.();
          } catch (error) {
            logger.log('error', 'audit device unavailable at unseal; will retry on write', { path: entry.path, error: errorText(error) });
          }
          devices.set(entry.path, live);
        }
      });
    },

    /** Closes every device (seal). The table stays in storage for the next `load`. */
    unload(): Promise<void> {
      return exclusive(async () => {
        const all = [...devices.values()];
        devices.clear();
        await Promise.allSettled(all.map((d) => d.device.close()));
      });
    },

    /** Reopens every sink (Vault's SIGHUP), for log rotation. */
    reopen(): Promise<void> {
      return exclusive(async () => {
        const live = [...devices.values()];
        const results = await Promise.allSettled(live.map((d) => d.device.reopen?.()));
        results.forEach((result, i) => {
          if (result.status === 'rejected') logger.log('error', 'reopening audit device failed', { path: live[i]!.entry.path, error: errorText(result.reason) });
        });
      });
    },
  };
}

export type AuditBroker = ReturnType<typeof createAuditBroker>;
