// vault.kv(mount): typed helpers over handle() for KV v1 and v2, as Vault's CLI `vault kv` does it.
import { VaultError, type Request, type Response } from '@coffer/sdk';

/** Version metadata Vault returns for a KV v2 write or read. */
export interface KvVersionMetadata {
  created_time: string;
  custom_metadata: Record<string, string> | null;
  deletion_time: string;
  destroyed: boolean;
  version: number;
}

export interface KvSecret<T> {
  data: T;
  /** KV v2 only; `undefined` on a KV v1 mount. */
  metadata?: KvVersionMetadata;
}

export interface KvClient {
  /** Writes `data`; on KV v2 `cas` is check-and-set (0 = only if absent). Returns the new version's metadata (v2). */
  put<T extends Record<string, unknown>>(path: string, data: T, options?: { cas?: number }): Promise<KvVersionMetadata | undefined>;
  /** The latest (or given) version; `undefined` when absent, deleted or destroyed. */
  get<T extends Record<string, unknown> = Record<string, unknown>>(path: string, options?: { version?: number }): Promise<KvSecret<T> | undefined>;
  /** KV v2: a JSON merge patch of the latest version. */
  patch<T extends Record<string, unknown>>(path: string, data: Partial<T>, options?: { cas?: number }): Promise<KvVersionMetadata>;
  /** Deletes the latest version (v2: soft delete), or the given versions. */
  delete(path: string, versions?: number[]): Promise<void>;
  /** KV v2: restores soft-deleted versions. */
  undelete(path: string, versions: number[]): Promise<void>;
  /** KV v2: removes the data of the given versions for good. */
  destroy(path: string, versions: number[]): Promise<void>;
  /** KV v2: the key's metadata and every version's; `undefined` when the key has none. */
  metadata(path: string): Promise<Record<string, unknown> | undefined>;
  /** KV v2: removes every version and the metadata. */
  deleteMetadata(path: string): Promise<void>;
  /** Keys under `path` (folders end in `/`); empty when there are none. */
  list(path?: string): Promise<string[]>;
}

type Handle = (request: Request) => Promise<Response>;

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/** A 404 is "absent" for the helpers; any other error is the caller's to see. */
async function orAbsent<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof VaultError && error.status === 404) return undefined;
    throw error;
  }
}

export function createKvClient(handle: Handle, mountPath: string, token: string): KvClient {
  const mount = trimSlashes(mountPath);
  let version: Promise<number> | undefined;
  const call = (operation: Request['operation'], path: string, data?: Record<string, unknown>, extra: Partial<Request> = {}) =>
    handle({ operation, path, token, ...(data ? { data } : {}), ...extra });

  /** The mount's KV version, from the same preflight the Vault CLI makes. */
  function kvVersion(): Promise<number> {
    version ??= call('read', `sys/internal/ui/mounts/${mount}`).then((response) => {
      const options = (response.data?.options ?? null) as Record<string, string> | null;
      return options?.version === '2' ? 2 : 1;
    });
    return version;
  }

  const at = (section: string, path: string) => `${mount}/${section}/${trimSlashes(path)}`;
  const v1 = (path: string) => `${mount}/${trimSlashes(path)}`;
  async function requireV2(what: string): Promise<void> {
    if ((await kvVersion()) !== 2) throw new TypeError(`vault.kv('${mount}').${what} needs a KV version 2 mount`);
  }

  return {
    async put(path, data, options = {}) {
      if ((await kvVersion()) === 1) {
        await call('update', v1(path), data);
        return undefined;
      }
      const body = { data, ...(options.cas !== undefined ? { options: { cas: options.cas } } : {}) };
      return (await call('update', at('data', path), body)).data as unknown as KvVersionMetadata;
    },

    async get(path, options = {}) {
      if ((await kvVersion()) === 1) {
        const response = await orAbsent(() => call('read', v1(path)));
        return response?.data ? { data: response.data as never } : undefined;
      }
      const response = await orAbsent(() => call('read', at('data', path), options.version !== undefined ? { version: options.version } : undefined));
      const body = response?.data as { data: unknown; metadata: KvVersionMetadata } | undefined;
      return body && body.data !== null ? { data: body.data as never, metadata: body.metadata } : undefined;
    },

    async patch(path, data, options = {}) {
      await requireV2('patch');
      const body = { data, ...(options.cas !== undefined ? { options: { cas: options.cas } } : {}) };
      return (await call('patch', at('data', path), body)).data as unknown as KvVersionMetadata;
    },

    async delete(path, versions) {
      if ((await kvVersion()) === 1) {
        await call('delete', v1(path));
      } else if (versions === undefined) {
        await call('delete', at('data', path));
      } else {
        await call('update', at('delete', path), { versions });
      }
    },

    async undelete(path, versions) {
      await requireV2('undelete');
      await call('update', at('undelete', path), { versions });
    },

    async destroy(path, versions) {
      await requireV2('destroy');
      await call('update', at('destroy', path), { versions });
    },

    async metadata(path) {
      await requireV2('metadata');
      return (await orAbsent(() => call('read', at('metadata', path))))?.data ?? undefined;
    },

    async deleteMetadata(path) {
      await requireV2('deleteMetadata');
      await call('delete', at('metadata', path));
    },

    async list(path = '') {
      const folder = trimSlashes(path);
      const target = (await kvVersion()) === 1 ? `${mount}/${folder}` : `${mount}/metadata/${folder}`;
      const response = await orAbsent(() => call('list', target.endsWith('/') ? target : `${target}/`));
      return (response?.data?.keys as string[] | undefined) ?? [];
    },
  };
}
