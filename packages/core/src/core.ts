// The vault core (vault/core.go): storage, barrier, seal, mount tables and the request pipeline of one vault.
import type { Storage } from '@coffer/storage';
import { fromUtf8, randomHex, randomUuid, toHex, utf8, VaultError, type Clock, type Crypto, type Logger, type Random, type Request, type Response } from '@coffer/sdk';
import { createSecurityBarrier } from './barrier/security-barrier.js';
import type { PlaintextCacheLimits } from './barrier/plaintext-cache.js';
import { createVaultEvents, type VaultEvents } from './events.js';
import type { BackendRegistration } from './mounts/backend-registry.js';
import { BUILTIN_MOUNTS, builtinEntry, placeholderRegistration } from './mounts/builtin-mounts.js';
import type { SystemTtls } from './mounts/mount-entry.js';
import { createMountTable } from './mounts/mount-table.js';
import { canAccessPath } from './request/authorize.js';
import { createPipeline } from './request/pipeline.js';
import { createSealManager } from './seal/seal-manager.js';
import { clearStorage, createStorageView } from './storage-view.js';
import { createSysBackend } from './sys/sys-backend.js';
import { sealPaths, type InitParams } from './sys/path-seal.js';
import type { SysDeps } from './sys/sys-deps.js';
import { createTokenBackend, createTokenStore, type TokenEntry } from '@coffer/token-store';
import { createPolicyStore } from './policy/policy-store.js';
import { createPasswordPolicyStore } from './policy/password-policy-store.js';
import { createCubbyholeBackend } from './cubbyhole/cubbyhole-backend.js';
import { createResponseWrapper } from './wrapping/response-wrapper.js';
import { createAuditBroker } from './audit/audit-broker.js';
import { createExpirationManager } from './expiration/index.js';
import { createLeaseHooks, mirrorTokenLease } from './lease-hooks.js';
import { createEntityAliases } from './identity/entity-aliases.js';
import { renewLogin } from './login-renewal.js';
import { UserLockout } from './request/user-lockout.js';

/** Vault's system default and maximum lease TTL: 768h (vault-api.md §4). */
export const DEFAULT_LEASE_TTL_SEC = 768 * 3600;

export interface CoreOptions {
  storage: Storage;
  /** Reported as `storage_type` in seal-status (`inmem`, `file`, `postgresql`). */
  storageType: string;
  clock: Clock;
  random: Random;
  crypto: Crypto;
  logger: Logger;
  /** Mountable types beyond the built-in singletons. */
  backends: ReadonlyMap<string, BackendRegistration>;
  /** A host-supplied 32-byte key: Vault's static (aesgcm) auto-unseal seal. */
  autoUnsealKey?: Uint8Array;
  systemTtls?: Partial<SystemTtls>;
  version: string;
  clusterName?: string;
  /** The barrier's plaintext cache over exclusive storage: its limits, or `false` for none. */
  cache?: false | PlaintextCacheLimits;
}

const CLUSTER_INFO_KEY = 'core/cluster/info';

export function createCore(options: CoreOptions) {
  const { clock, random, crypto, logger } = options;
  const events: VaultEvents = createVaultEvents();
  const systemTtls: SystemTtls = {
    defaultLeaseTtlSec: options.systemTtls?.defaultLeaseTtlSec ?? DEFAULT_LEASE_TTL_SEC,
    maxLeaseTtlSec: options.systemTtls?.maxLeaseTtlSec ?? DEFAULT_LEASE_TTL_SEC,
  };
  const barrier = createSecurityBarrier({ storage: options.storage, crypto, random, clock, ...(options.cache !== undefined ? { cache: options.cache } : {}) });
  const sysStorage = createStorageView(barrier, 'sys/');
  const tokenHooks = {
    async expiryChanged(entry: TokenEntry): Promise<void> {
      await mirrorTokenLease(expiration, entry, mounts.get('auth/token/')?.entry.accessor ?? '');
    },
    async revoking(entry: TokenEntry): Promise<void> {
      // Its leases expire now and are revoked in the background, as Vault does (§2.3).
      await expiration.revokeByToken(entry.idHash);
      // The token's cubbyhole goes with it (vault-api.md C1).
      const cubbyhole = mounts.get('cubbyhole/');
      if (cubbyhole) await clearStorage(cubbyhole.storage, `${entry.idHash}/`);
    },
  };
  const policies = createPolicyStore({ storage: createStorageView(barrier, 'sys/policy/') });
  const passwordPolicies = createPasswordPolicyStore(sysStorage, random);
  const tokens = createTokenStore({ storage: createStorageView(barrier, 'sys/token/'), crypto, random, clock, hooks: tokenHooks });
  const aliases = createEntityAliases({ storage: createStorageView(barrier, 'sys/identity/'), crypto, random });
  const lockout = new UserLockout();
  let cluster: { name: string; id: string } | undefined;

  const registry = new Map<string, BackendRegistration>([
    ['cubbyhole', { table: 'secret', factory: createCubbyholeBackend({ tokenHash: (token) => tokens.hash(token) }) }],
    ['identity', placeholderRegistration('identity', 'secret')],
    ['token', { table: 'auth', factory: createTokenBackend({ store: tokens, policyExists: (name) => policies.exists(name), renewLogin: (entry, incrementSec) => renewLogin(mounts, entry, incrementSec) }) }],
    ...options.backends,
  ]);
  const mounts = createMountTable({
    barrier,
    registry,
    clock,
    random,
    crypto,
    logger,
    systemTtls: () => systemTtls,
    passwordPolicies,
    // A secrets mount's leases are revoked before its data goes; an auth mount's tokens likewise.
    beforeUnmount: async (mount) => {
      await expiration.revokePrefix(mount.env.mount().path, { sync: true });
    },
  });
  const expiration = createExpirationManager({
    storage: sysStorage,
    clock,
    random,
    logger,
    crypto,
    hooks: createLeaseHooks({ mounts, tokens, clock, logger }),
    onRevoked: (leaseId) => events.emit('lease-revoked', { leaseId }),
    onRevokeFailed: (leaseId, error, irrevocable) => events.emit('lease-revoke-failed', { leaseId, error, irrevocable }),
  });

  const audit = createAuditBroker({ storage: barrier, crypto, random, clock, logger });
  const wrapper = createResponseWrapper({
    tokens,
    clock,
    cubbyhole: () => {
      const mount = mounts.get('cubbyhole/');
      if (!mount) throw VaultError.internal('cubbyhole mount missing');
      return mount.storage;
    },
  });

  const sysDeps: SysDeps = {
    wrapper,
    expiration,
    broker: audit,
    mounts,
    policies,
    passwordPolicies,
    tokens,
    registry,
    clock,
    random,
    events,
    version: options.version,
    systemTtls: () => systemTtls,
    lifecycle: {
      initialized: () => seal.isInitialized(),
      sealed: () => barrier.isSealed(),
      cluster: () => cluster,
      canAccessPath: (caller) => canAccessPath(caller.policies),
    },
    keyring: {
      rotate: () => barrier.rotate(),
      keyStatus: () => barrier.keyStatus(),
      rotationConfig: () => barrier.rotationConfig(),
      setRotationConfig: (config) => barrier.setRotationConfig(config),
    },
  };

  /** Everything that must exist once the barrier is open: tables, cluster identity, the root token's salt. */
  async function afterUnseal(announce = true): Promise<void> {
    if (cluster) return;
    await policies.setupDefaults();
    await audit.load();
    if (!(await mounts.load())) {
      for (const builtin of BUILTIN_MOUNTS) await mounts.enable(builtinEntry(builtin, mounts.identity(builtin.table, builtin.type)));
    }
    // After the mounts: leases already due are revoked through their backends at once.
    await expiration.restore();
    const stored = await barrier.get(CLUSTER_INFO_KEY);
    if (stored) {
      cluster = JSON.parse(fromUtf8(stored)) as { name: string; id: string };
    } else {
      cluster = { name: options.clusterName ?? `vault-cluster-${randomHex(random, 8)}`, id: randomUuid(random) };
      await barrier.put(CLUSTER_INFO_KEY, utf8(JSON.stringify(cluster)));
    }
    if (announce) events.emit('unsealed');
  }

  /** The root token sys/init and dev mode hand out: never expires, orphan, `root` only. */
  async function createRootToken(chosenId?: string): Promise<string> {
    const { id } = await tokens.create({
      ...(chosenId !== undefined ? { id: chosenId } : {}),
      policies: ['root'],
      path: 'auth/token/root',
      displayName: 'root',
      meta: null,
      numUses: 0,
      creationTtlSec: 0,
      ttlSec: 0,
      explicitMaxTtlSec: 0,
      periodSec: 0,
      renewable: false,
      type: 'service',
      entityId: '',
    });
    return id;
  }

  async function beforeSeal(): Promise<void> {
    await expiration.stop();
    await audit.unload();
    await mounts.unload();
    tokens.clear();
    lockout.clear();
    aliases.forget();
    policies.clear();
    cluster = undefined;
  }

  const seal = createSealManager({
    storage: options.storage,
    barrier,
    crypto,
    random,
    clock,
    ...(options.autoUnsealKey ? { autoUnsealKey: options.autoUnsealKey } : {}),
  });

  // Seal, unseal and init serialise through one queue: a share submitted while the
  // vault is opening must not race the mount-table load (reliability.md C9).
  let lifecycleQueue: Promise<unknown> = Promise.resolve();
  function serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = lifecycleQueue.then(fn, fn);
    lifecycleQueue = run.catch(() => undefined);
    return run;
  }

  async function sealVault(): Promise<void> {
    return serialised(async () => {
      if (barrier.isSealed()) return;
      await beforeSeal();
      await seal.seal();
      events.emit('sealed');
    });
  }

  async function unsealVault(key: string): Promise<void> {
    return serialised(async () => {
      if (!barrier.isSealed()) return;
      if (await seal.submitUnsealKey(key)) await afterUnseal();
    });
  }

  async function initVault(params: InitParams): Promise<Record<string, unknown>> {
    return serialised(async () => {
      let rootToken = '';
      const keys = await seal.initialize(params, async () => {
        await afterUnseal(false);
        rootToken = await createRootToken();
      });
      events.emit('initialized');
      if (options.autoUnsealKey) events.emit('unsealed');
      // A Shamir vault is sealed again after init; an auto-unseal vault stays open.
      if (!options.autoUnsealKey) {
        await beforeSeal();
        await seal.seal();
      }
      return { ...keys, root_token: rootToken };
    });
  }

  /** `vault server -dev`: one key, unsealed, the root token optionally chosen. */
  async function initDev(rootTokenId?: string): Promise<{ rootToken: string; unsealKey: string }> {
    return serialised(async () => {
      let rootToken = '';
      const keys = await seal.initialize({ secret_shares: 1, secret_threshold: 1 }, async () => {
        await afterUnseal(false);
        rootToken = await createRootToken(rootTokenId);
      });
      events.emit('initialized');
      events.emit('unsealed');
      return { rootToken, unsealKey: (keys.keys as string[])[0]! };
    });
  }

  /** On start: an auto-unseal vault that is already initialised opens itself. */
  async function start(): Promise<void> {
    if (!options.autoUnsealKey || !(await seal.isInitialized())) return;
    await serialised(async () => {
      await seal.unsealWithSeal();
      await afterUnseal();
    });
  }

  const sysFactory = createSysBackend(
    sysDeps,
    sealPaths({ ...sysDeps, seal, storageType: options.storageType, sealVault, unsealVault, initVault }),
  );
  // One sys backend for the vault's lifetime: it serves init and unseal while sealed, and
  // the `sys/` row of the mount table hands the same instance to the router once unsealed.
  const sysMountInfo = { path: 'sys/', type: 'system', uuid: '', accessor: '', defaultLeaseTtlSec: 0, maxLeaseTtlSec: 0, options: {} };
  const sysBackendPromise = sysFactory({ storage: sysStorage, clock, random, crypto, logger, mount: () => sysMountInfo });
  registry.set('system', { table: 'secret', factory: () => sysBackendPromise });
  let pipeline: ((request: Request) => Promise<Response>) | undefined;
  async function handle(request: Request): Promise<Response> {
    if (!pipeline) {
      const sys = await sysBackendPromise;
      pipeline = createPipeline({ random, clock, logger, sealed: () => barrier.isSealed(), sys, mounts, tokens, policies, wrapper, audit, expiration, aliases, lockout, lockoutHash: (alias) => toHex(crypto.sha256(utf8(alias))) });
    }
    return pipeline(request);
  }

  return { handle, events, barrier, mounts, systemTtls, sealFromHost: sealVault, initDev, start, tokens };
}

export type Core = ReturnType<typeof createCore>;
