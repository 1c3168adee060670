// Vault's mount tables (vault/mount.go, vault/auth.go): enable, disable, tune, remount, persist, route.
import type { Storage } from '@coffer/storage';
import { fromUtf8, randomHex, randomUuid, utf8, VaultError, type Backend, type BackendEnv, type Clock, type Crypto, type Logger, type PasswordPolicies, type Random } from '@coffer/sdk';
import { createStorageView, clearStorage } from '../storage-view.js';
import type { BackendRegistry } from './backend-registry.js';
import { mountInfo, routerPath, storagePrefix, type MountEntry, type MountTableKind, type SystemTtls } from './mount-entry.js';

/** A live mount: its table row, its backend instance and its storage view. */
export interface Mount {
  entry: MountEntry;
  backend: Backend;
  storage: Storage;
  env: BackendEnv;
}

export interface MountTableDeps {
  barrier: Storage;
  registry: BackendRegistry;
  clock: Clock;
  random: Random;
  crypto: Crypto;
  logger: Logger;
  systemTtls(): SystemTtls;
  /** The vault's named password policies, handed to every engine. */
  passwordPolicies?: PasswordPolicies;
  /** Called before a mount's storage is dropped, so its leases can be revoked. */
  beforeUnmount?(mount: Mount): Promise<void>;
}

const TABLE_KEYS: Record<MountTableKind, string> = { secret: 'core/mounts', auth: 'core/auth' };
const PROTECTED_PREFIXES = ['audit/', 'auth/', 'sys/', 'cubbyhole/', 'identity/'];

export function createMountTable(deps: MountTableDeps) {
  /** Keyed by router path (`secret/`, `auth/userpass/`). */
  const mounts = new Map<string, Mount>();
  let sortedPaths: string[] = [];

  function reindex(): void {
    // Longest prefix first, so the first hit in route() is the most specific mount.
    sortedPaths = [...mounts.keys()].sort((a, b) => b.length - a.length);
  }

  async function instantiate(entry: MountEntry): Promise<Mount> {
    const registration = deps.registry.get(entry.type);
    if (!registration) throw VaultError.invalid(`plugin not found in the catalog: ${entry.type}`);
    const storage = createStorageView(deps.barrier, storagePrefix(entry));
    const env: BackendEnv = {
      storage,
      clock: deps.clock,
      random: deps.random,
      crypto: deps.crypto,
      logger: deps.logger.child({ mount: routerPath(entry) }),
      mount: () => mountInfo(entry, deps.systemTtls()),
      ...(deps.passwordPolicies ? { passwordPolicies: deps.passwordPolicies } : {}),
    };
    return { entry, backend: await registration.factory(env), storage, env };
  }

  async function persist(table: MountTableKind): Promise<void> {
    const entries = [...mounts.values()].filter((m) => m.entry.table === table).map((m) => m.entry);
    await deps.barrier.put(TABLE_KEYS[table], utf8(JSON.stringify(entries)));
  }

  function conflict(path: string): string | undefined {
    for (const existing of mounts.keys()) {
      if (existing.startsWith(path) || path.startsWith(existing)) return existing;
    }
    return undefined;
  }

  return {
    /** The mount serving `path` (longest prefix), with the path relative to it. */
    route(path: string): { mount: Mount; relativePath: string } | undefined {
      for (const prefix of sortedPaths) {
        if (path.startsWith(prefix) || path === prefix.slice(0, -1)) {
          return { mount: mounts.get(prefix)!, relativePath: path.slice(prefix.length) };
        }
      }
      return undefined;
    },

    get(routerPathWithSlash: string): Mount | undefined {
      return mounts.get(routerPathWithSlash);
    },

    entries(table: MountTableKind): MountEntry[] {
      return [...mounts.values()]
        .filter((m) => m.entry.table === table)
        .map((m) => m.entry)
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    all(): Mount[] {
      return [...mounts.values()];
    },

    /** Fresh uuid and accessor (`kv_1a2b3c4d`, `auth_userpass_1a2b3c4d`) for a new row. */
    identity(table: MountTableKind, type: string): { uuid: string; accessor: string } {
      const accessor = table === 'auth' ? `auth_${type}_${randomHex(deps.random, 8)}` : `${type}_${randomHex(deps.random, 8)}`;
      return { uuid: randomUuid(deps.random), accessor };
    },

    /** Mounts a new engine or auth method. The table is persisted before the mount is visible. */
    async enable(entry: MountEntry): Promise<Mount> {
      const full = routerPath(entry);
      if (!entry.singleton) {
        for (const prefix of PROTECTED_PREFIXES) {
          if (entry.table === 'secret' && full.startsWith(prefix)) throw new VaultError('permission_denied', `cannot mount "${full}"`);
        }
      }
      const existing = conflict(full);
      if (existing !== undefined) throw VaultError.invalid(`path is already in use at ${existing}`);
      const mount = await instantiate(entry);
      mounts.set(full, mount);
      reindex();
      try {
        await persist(entry.table);
      } catch (error) {
        mounts.delete(full);
        reindex();
        await mount.backend.cleanup();
        throw error;
      }
      return mount;
    },

    /** Unmounts; revokes its leases (hook), drops its storage. Absent mounts succeed quietly. */
    async disable(full: string): Promise<boolean> {
      const mount = mounts.get(full);
      if (!mount) return false;
      if (mount.entry.singleton) throw VaultError.invalid(`cannot unmount "${full}"`);
      await deps.beforeUnmount?.(mount);
      mounts.delete(full);
      reindex();
      try {
        await persist(mount.entry.table);
      } catch (error) {
        mounts.set(full, mount);
        reindex();
        throw error;
      }
      await mount.backend.cleanup();
      await clearStorage(mount.storage);
      return true;
    },

    /** Moves a mount; its data stays under the same uuid, so nothing is copied. */
    async move(from: string, to: MountEntry['path'], table: MountTableKind): Promise<void> {
      const mount = mounts.get(from);
      if (!mount) throw VaultError.invalid(`no matching mount at "${from}"`);
      if (mount.entry.singleton) throw VaultError.invalid(`cannot remount "${from}"`);
      const target = routerPath({ table, path: to });
      const existing = conflict(target);
      if (existing !== undefined && existing !== from) throw VaultError.invalid(`path is already in use at ${existing}`);
      await deps.beforeUnmount?.(mount);
      const previous = mount.entry.path;
      mounts.delete(from);
      mount.entry.path = to;
      mounts.set(target, mount);
      reindex();
      try {
        await persist(table);
      } catch (error) {
        mounts.delete(target);
        mount.entry.path = previous;
        mounts.set(from, mount);
        reindex();
        throw error;
      }
    },

    /** Applies `change` to a row and persists; the row is restored if the write fails. */
    async update(full: string, change: (entry: MountEntry) => void): Promise<void> {
      const mount = mounts.get(full);
      if (!mount) throw VaultError.invalid(`no mount entry found at "${full}"`);
      const before = structuredClone(mount.entry);
      change(mount.entry);
      try {
        await persist(mount.entry.table);
      } catch (error) {
        Object.assign(mount.entry, before);
        throw error;
      }
    },

    /** Restores both tables after unseal; returns false when nothing was stored yet. */
    async load(): Promise<boolean> {
      let found = false;
      for (const table of ['secret', 'auth'] as const) {
        const bytes = await deps.barrier.get(TABLE_KEYS[table]);
        if (!bytes) continue;
        found = true;
        for (const entry of JSON.parse(fromUtf8(bytes)) as MountEntry[]) {
          mounts.set(routerPath(entry), await instantiate(entry));
        }
      }
      reindex();
      return found;
    },

    /** Tears every backend down (seal): pools closed, timers cancelled. */
    async unload(): Promise<void> {
      const all = [...mounts.values()];
      mounts.clear();
      reindex();
      await Promise.allSettled(all.map((m) => m.backend.cleanup()));
    },
  };
}

export type MountTable = ReturnType<typeof createMountTable>;
