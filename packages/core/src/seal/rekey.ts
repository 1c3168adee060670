// sys/rekey: a new root key and new unseal shares, authorised by a threshold of the current
// shares. Two-phase, so a crash at any step leaves a set of shares that opens the vault:
// the new keyring is staged under the next generation, then one write of the seal config
// switches over. With `require_verification` the switch waits until the new shares are proven.
import { constantTimeEqual, VaultError, type Random } from '@coffer/sdk';
import { KEY_BYTES } from '../barrier/keyring.js';
import { combineKey, encodeShares, splitKey } from './key-shares.js';
import { checkShares, type SealType, type SharesConfig, type StoredSealConfig } from './seal-config.js';
import { ShareCollector } from './share-collector.js';
import { parseKeyShare } from './unseal-key.js';

export interface RekeyDeps {
  random: Random;
  isSealed(): boolean;
  sealType: SealType;
  current(): Promise<StoredSealConfig>;
  /** Throws unless `unsealKey` unwraps the live root key. */
  verifyUnsealKey(unsealKey: Uint8Array): void;
  /** Phase one: the keyring written under the next generation, sealed by the new root key. */
  stage(rootKey: Uint8Array): Promise<void>;
  /** Forgets a staged root key (cancel, seal, failure). */
  discard(): void;
  /** Phase two: the seal config switches to the new generation in one write. */
  commit(shares: SharesConfig, rootKey: Uint8Array, unsealKey: Uint8Array): Promise<void>;
}

export interface RekeyInitRequest {
  secret_shares: number;
  secret_threshold: number;
  require_verification: boolean;
}

interface Operation {
  shares: SharesConfig;
  requireVerification: boolean;
  collector: ShareCollector;
  pending?: PendingKeys;
}

/** New keys handed out but not live yet: they wait for verification. */
interface PendingKeys {
  rootKey: Uint8Array;
  unsealKey: Uint8Array;
  verify: ShareCollector;
}

export type Rekey = ReturnType<typeof createRekey>;

export function createRekey(deps: RekeyDeps) {
  let operation: Operation | undefined;

  async function ready(): Promise<StoredSealConfig> {
    if (deps.isSealed()) throw VaultError.sealed();
    return deps.current();
  }

  function inProgress(): Operation {
    if (!operation) throw VaultError.invalid('no barrier rekey in progress');
    return operation;
  }

  function verifying(): Operation & { pending: PendingKeys } {
    const op = inProgress();
    if (!op.pending) throw VaultError.invalid('no barrier rekey verification in progress');
    return op as Operation & { pending: PendingKeys };
  }

  async function clear(): Promise<void> {
    const op = operation;
    operation = undefined;
    if (!op) return;
    op.collector.reset();
    if (op.pending) {
      op.pending.rootKey.fill(0);
      op.pending.unsealKey.fill(0);
      op.pending.verify.reset();
      deps.discard();
    }
  }

  function collect(collector: ShareCollector, text: string, what: string): void {
    if (!collector.add(parseKeyShare(text))) throw VaultError.invalid(`given key has already been provided during this ${what} operation`);
  }

  function verifyProgress(op: Operation & { pending: PendingKeys }) {
    return { started: true, nonce: op.pending.verify.nonce, t: op.shares.secret_threshold, n: op.shares.secret_shares, progress: op.pending.verify.progress };
  }

  async function status() {
    const current = await ready();
    return {
      started: operation !== undefined,
      nonce: operation?.collector.nonce ?? '',
      t: operation?.shares.secret_threshold ?? 0,
      n: operation?.shares.secret_shares ?? 0,
      progress: operation?.collector.progress ?? 0,
      required: current.secret_threshold,
      pgp_fingerprints: null,
      backup: false,
      verification_required: operation?.requireVerification ?? false,
      ...(operation?.pending ? { verification_nonce: operation.pending.verify.nonce } : {}),
    };
  }

  async function init(request: RekeyInitRequest) {
    await ready();
    if (deps.sealType !== 'shamir') {
      throw VaultError.invalid('rekeying the barrier of an auto-unseal vault is not supported: its root key is protected by the host-supplied key');
    }
    if (operation) throw VaultError.invalid('rekey already in progress');
    const shares = { secret_shares: request.secret_shares, secret_threshold: request.secret_threshold };
    checkShares(shares, 'invalid rekey seal configuration');
    const collector = new ShareCollector(deps.random);
    collector.start();
    operation = { shares, requireVerification: request.require_verification, collector };
    return status();
  }

  async function update(text: string, nonce: string) {
    const current = await ready();
    const op = inProgress();
    if (op.pending) throw VaultError.invalid('rekey is complete; verify the new key shares with sys/rekey/verify');
    if (nonce !== op.collector.nonce) throw VaultError.invalid(`incorrect nonce supplied; nonce for this rekey operation is "${op.collector.nonce}"`);
    collect(op.collector, text, 'rekey');
    if (op.collector.progress < current.secret_threshold) return status();

    const submitted = op.collector.take();
    const oldKey = combineKey(submitted);
    submitted.forEach((share) => share.fill(0));
    try {
      deps.verifyUnsealKey(oldKey);
    } finally {
      oldKey.fill(0);
    }

    const rootKey = deps.random.bytes(KEY_BYTES);
    const unsealKey = deps.random.bytes(KEY_BYTES);
    const encoded = encodeShares(splitKey(unsealKey, op.shares.secret_shares, op.shares.secret_threshold, deps.random));
    const result = { complete: true, ...encoded, nonce: op.collector.nonce, pgp_fingerprints: null, backup: false, verification_required: op.requireVerification };
    try {
      await deps.stage(rootKey);
      if (op.requireVerification) {
        const verify = new ShareCollector(deps.random);
        verify.start();
        op.pending = { rootKey, unsealKey, verify };
        return { ...result, verification_nonce: verify.nonce };
      }
      await deps.commit(op.shares, rootKey, unsealKey);
      rootKey.fill(0);
      unsealKey.fill(0);
      operation = undefined;
      return result;
    } catch (error) {
      rootKey.fill(0);
      unsealKey.fill(0);
      operation = undefined;
      deps.discard();
      throw error;
    }
  }

  async function verifyStatus() {
    await ready();
    return verifyProgress(verifying());
  }

  async function verify(text: string, nonce: string) {
    await ready();
    const op = verifying();
    const { pending } = op;
    if (nonce !== pending.verify.nonce) throw VaultError.invalid(`incorrect nonce supplied; nonce for this verify operation is "${pending.verify.nonce}"`);
    collect(pending.verify, text, 'verify');
    if (pending.verify.progress < op.shares.secret_threshold) return verifyProgress(op);

    const submitted = pending.verify.take();
    const candidate = combineKey(submitted);
    submitted.forEach((share) => share.fill(0));
    const matches = constantTimeEqual(candidate, pending.unsealKey);
    candidate.fill(0);
    if (!matches) throw VaultError.invalid('rekey verification failed: the key shares do not combine to the new unseal key');

    const verifyNonce = pending.verify.nonce;
    try {
      await deps.commit(op.shares, pending.rootKey, pending.unsealKey);
    } catch (error) {
      await clear();
      throw error;
    }
    pending.rootKey.fill(0);
    pending.unsealKey.fill(0);
    operation = undefined;
    return { nonce: verifyNonce, complete: true };
  }

  async function verifyCancel() {
    await ready();
    const op = verifying();
    op.pending.verify.start();
    return verifyProgress(op);
  }

  async function cancel(): Promise<void> {
    await ready();
    await clear();
  }

  // Steps run one at a time: two shares arriving together must not both see "below threshold".
  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return (...args) => {
      const run = queue.then(() => fn(...args));
      queue = run.catch(() => undefined);
      return run;
    };
  }

  return {
    status: exclusive(status),
    init: exclusive(init),
    update: exclusive(update),
    verifyStatus: exclusive(verifyStatus),
    verify: exclusive(verify),
    verifyCancel: exclusive(verifyCancel),
    cancel: exclusive(cancel),
    abandon: exclusive(clear),
  };
}
