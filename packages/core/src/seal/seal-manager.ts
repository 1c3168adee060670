// The seal (Vault's seal_manager.go and init.go): how the root key is protected outside the
// barrier, how a vault is initialised, and how shares or the host's key open it.
import type { Storage } from '@coffer/storage';
import { constantTimeEqual, VaultError, type Clock, type Crypto, type Random } from '@coffer/sdk';
import { BarrierInvalidKeyError, type SecurityBarrier } from '../barrier/security-barrier.js';
import { KEY_BYTES } from '../barrier/keyring.js';
import { decryptEntry, encryptEntry } from '../barrier/ciphertext.js';
import { combineKey, encodeShares, splitKey } from './key-shares.js';
import { createRekey, type Rekey } from './rekey.js';
import { decodeJson, encodeJson, unwrapRootKey, wrapRootKey } from './root-key-wrap.js';
import {
  checkShares,
  KEYRING_PREFIX,
  keyringPath,
  RECOVERY_CONFIG_KEY,
  RECOVERY_KEY_KEY,
  SEAL_CONFIG_KEY,
  type SealType,
  type SharesConfig,
  type StoredSealConfig,
} from './seal-config.js';
import { ShareCollector } from './share-collector.js';
import { parseKeyShare } from './unseal-key.js';

export interface SealManagerOptions {
  storage: Storage;
  barrier: SecurityBarrier;
  crypto: Crypto;
  random: Random;
  clock: Clock;
  /** A host-supplied 32-byte key: the vault opens itself with it (auto-unseal). */
  autoUnsealKey?: Uint8Array;
}

export interface InitRequest {
  secret_shares?: number;
  secret_threshold?: number;
  recovery_shares?: number;
  recovery_threshold?: number;
}

export interface InitResult {
  keys: string[];
  keys_base64: string[];
  recovery_keys?: string[];
  recovery_keys_base64?: string[];
}

export interface SealStatus {
  type: SealType;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  nonce: string;
  recovery_seal: boolean;
}

export type SealManager = ReturnType<typeof createSealManager>;

export function createSealManager(options: SealManagerOptions) {
  const { storage, barrier, crypto, random, clock } = options;
  const hostKey = options.autoUnsealKey;
  const sealType: SealType = hostKey ? 'static' : 'shamir';
  const unsealShares = new ShareCollector(random);
  let config: StoredSealConfig | undefined;
  let recoveryConfig: SharesConfig | undefined;

  async function loadConfig(): Promise<StoredSealConfig | undefined> {
    if (config) return config;
    const stored = await storage.get(SEAL_CONFIG_KEY);
    if (!stored) return undefined;
    config = decodeJson<StoredSealConfig>(stored);
    if (config.type !== sealType) {
      const found = config.type;
      config = undefined;
      throw VaultError.internal(`the vault was initialised with a ${found} seal but is configured with a ${sealType} seal`);
    }
    if (hostKey) {
      const recovery = await storage.get(RECOVERY_CONFIG_KEY);
      recoveryConfig = recovery ? decodeJson<SharesConfig>(recovery) : undefined;
    }
    return config;
  }

  async function requireConfig(): Promise<StoredSealConfig> {
    const current = await loadConfig();
    if (!current) throw VaultError.invalid('Vault is not initialized');
    return current;
  }

  /** Shares that open the vault: unseal shares for Shamir, recovery shares for an auto-unseal seal. */
  function shareConfig(current: StoredSealConfig): SharesConfig {
    return hostKey ? (recoveryConfig ?? { secret_shares: 0, secret_threshold: 0 }) : current;
  }

  /** Opens the barrier with a root key and drops keyrings a crashed rekey may have left staged. */
  async function openBarrier(current: StoredSealConfig, rootKey: Uint8Array): Promise<void> {
    try {
      await barrier.unseal(rootKey, keyringPath(current.generation));
    } catch (error) {
      if (error instanceof BarrierInvalidKeyError) throw VaultError.invalid(error.message);
      throw error;
    } finally {
      rootKey.fill(0);
    }
    const live = String(current.generation);
    for (const name of await storage.list(KEYRING_PREFIX)) {
      if (name !== live && !name.endsWith('/')) await storage.delete(KEYRING_PREFIX + name);
    }
  }

  function checkInitRequest(request: InitRequest): { barrier: SharesConfig; recovery?: SharesConfig } {
    // Vault's validateInitParameters: a zero counts as not given.
    const given = (names: readonly (keyof InitRequest)[]) => names.filter((name) => (request[name] ?? 0) !== 0);
    const misplaced = hostKey ? given(['secret_shares', 'secret_threshold']) : given(['recovery_shares', 'recovery_threshold']);
    if (misplaced.length > 0) throw VaultError.invalid(`parameters ${misplaced.join(',')} not applicable to seal type ${sealType}`);
    if (!hostKey) {
      const shares = { secret_shares: request.secret_shares ?? 0, secret_threshold: request.secret_threshold ?? 0 };
      checkShares(shares, 'invalid seal configuration');
      return { barrier: shares };
    }
    // An auto-unseal seal keeps one stored key; operators get recovery shares instead.
    const recovery = { secret_shares: request.recovery_shares ?? 5, secret_threshold: request.recovery_threshold ?? 3 };
    checkShares(recovery, 'invalid recovery configuration');
    return { barrier: { secret_shares: 1, secret_threshold: 1 }, recovery };
  }

  async function initialize(request: InitRequest, onBarrierReady: () => Promise<void>): Promise<InitResult> {
    const shares = checkInitRequest(request);
    if (await loadConfig()) throw VaultError.invalid('Vault is already initialized');

    const rootKey = random.bytes(KEY_BYTES);
    const unsealKey = hostKey ? undefined : random.bytes(KEY_BYTES);
    const recoveryKey = shares.recovery ? random.bytes(KEY_BYTES) : undefined;
    try {
      const generation = 1;
      const next: StoredSealConfig = {
        type: sealType,
        ...shares.barrier,
        stored_shares: 1,
        pgp_keys: null,
        backup: false,
        nonce: '',
        generation,
        wrapped_root_key: wrapRootKey(crypto, random, hostKey ?? unsealKey!, rootKey, generation),
      };
      await barrier.initialize(rootKey, keyringPath(generation));
      if (hostKey && recoveryKey && shares.recovery) {
        await storage.put(RECOVERY_KEY_KEY, encryptEntry(crypto, random, 1, hostKey, RECOVERY_KEY_KEY, recoveryKey));
        await storage.put(RECOVERY_CONFIG_KEY, encodeJson({ type: 'shamir', ...shares.recovery }));
        recoveryConfig = shares.recovery;
      }
      // The seal config is written last: until it exists the vault is not initialised.
      await storage.put(SEAL_CONFIG_KEY, encodeJson(next));
      config = next;
      await onBarrierReady();

      const result: InitResult = unsealKey ? encodeShares(splitKey(unsealKey, next.secret_shares, next.secret_threshold, random)) : { keys: [], keys_base64: [] };
      if (recoveryKey && shares.recovery) {
        const recovery = encodeShares(splitKey(recoveryKey, shares.recovery.secret_shares, shares.recovery.secret_threshold, random));
        result.recovery_keys = recovery.keys;
        result.recovery_keys_base64 = recovery.keys_base64;
      }
      return result;
    } catch (error) {
      if (!config) await barrier.seal();
      throw error;
    } finally {
      rootKey.fill(0);
      unsealKey?.fill(0);
      recoveryKey?.fill(0);
    }
  }

  /** Opens an initialised auto-unseal vault with the host's key. */
  async function unsealWithSeal(): Promise<void> {
    if (!hostKey) throw new Error('unsealWithSeal needs an auto-unseal key');
    const current = await requireConfig();
    await openBarrier(current, unwrapRootKey(crypto, hostKey, current.wrapped_root_key));
  }

  /** Recovery shares prove who may open a manually sealed auto-unseal vault; the host's key does the opening. */
  async function checkRecoveryKey(candidate: Uint8Array): Promise<void> {
    const stored = await storage.get(RECOVERY_KEY_KEY);
    if (!stored || !hostKey) throw VaultError.invalid('no recovery key is configured');
    const expected = decryptEntry(crypto, hostKey, RECOVERY_KEY_KEY, stored);
    try {
      if (!constantTimeEqual(expected, candidate)) throw VaultError.invalid('recovery key verification failed: incorrect recovery key');
    } finally {
      expected.fill(0);
      candidate.fill(0);
    }
  }

  /** One unseal share. Returns true when this share opened the vault. */
  async function submitUnsealKey(text: string): Promise<boolean> {
    const current = await requireConfig();
    if (!barrier.isSealed()) return false;
    const share = parseKeyShare(text);
    unsealShares.add(share);
    const threshold = shareConfig(current).secret_threshold;
    if (unsealShares.progress < threshold) return false;

    // Whatever the outcome, the collected shares are discarded (Vault's unsealPart).
    const shares = unsealShares.take();
    unsealShares.reset();
    let combined: Uint8Array;
    try {
      combined = combineKey(shares);
    } finally {
      for (const part of shares) part.fill(0);
    }
    if (hostKey) {
      await checkRecoveryKey(combined);
      await unsealWithSeal();
      return true;
    }
    let rootKey: Uint8Array;
    try {
      rootKey = unwrapRootKey(crypto, combined, current.wrapped_root_key);
    } finally {
      combined.fill(0);
    }
    await openBarrier(current, rootKey);
    return true;
  }

  async function resetUnseal(): Promise<void> {
    await requireConfig();
    if (!barrier.isSealed()) throw VaultError.invalid('vault is unsealed');
    unsealShares.reset();
  }

  const rekey: Rekey = createRekey({
    random,
    isSealed: () => barrier.isSealed(),
    sealType,
    current: requireConfig,
    verifyUnsealKey(key) {
      const current = config!;
      unwrapRootKey(crypto, key, current.wrapped_root_key).fill(0);
    },
    async stage(rootKey) {
      const current = config!;
      await barrier.stageRootKey(rootKey, keyringPath(current.generation + 1));
    },
    discard() {
      // Only forgotten here: after a failed switch-over write it is unknowable whether the
      // write landed, so the staged keyring stays until an unseal proves which one is live.
      barrier.discardStagedRootKey();
    },
    async commit(shares, rootKey, unsealKey) {
      const previous = config!;
      const generation = previous.generation + 1;
      const next: StoredSealConfig = { ...previous, ...shares, generation, wrapped_root_key: wrapRootKey(crypto, random, unsealKey, rootKey, generation) };
      // The single switch-over write: before it the old shares open the vault, after it the new ones.
      await storage.put(SEAL_CONFIG_KEY, encodeJson(next));
      config = next;
      barrier.activateStagedRootKey();
      // Nothing else is written before the new shares are handed back, so a crash from here on
      // leaves them sufficient. The superseded keyring goes once the response is out (and on
      // every unseal, for a process that died first).
      const superseded = keyringPath(previous.generation);
      clock.setTimer(0, () => void storage.delete(superseded).catch(() => undefined));
    },
  });

  return {
    async isInitialized(): Promise<boolean> {
      return (await loadConfig()) !== undefined;
    },

    async status(): Promise<SealStatus> {
      const current = await loadConfig();
      const shares = current ? shareConfig(current) : { secret_shares: 0, secret_threshold: 0 };
      return {
        type: sealType,
        initialized: current !== undefined,
        sealed: barrier.isSealed(),
        t: shares.secret_threshold,
        n: shares.secret_shares,
        progress: unsealShares.progress,
        nonce: unsealShares.nonce,
        recovery_seal: hostKey !== undefined,
      };
    },

    initialize,
    submitUnsealKey,
    resetUnseal,
    unsealWithSeal,

    async seal(): Promise<void> {
      unsealShares.reset();
      await rekey.abandon();
      await barrier.seal();
    },

    rekeyStatus: rekey.status,
    rekeyInit: rekey.init,
    rekeyCancel: rekey.cancel,
    rekeyUpdate: rekey.update,
    rekeyVerifyStatus: rekey.verifyStatus,
    rekeyVerify: rekey.verify,
    rekeyVerifyCancel: rekey.verifyCancel,
  };
}
