// The expiration manager's hooks (vault/expiration.go revokeEntry/renewEntry): a lease reaches the backend that issued it, or the token store.
import { VaultError, type Clock, type Logger, type SecretContext } from '@coffer/sdk';
import type { TokenEntry, TokenStore } from '@coffer/token-store';
import type { ExpirationManager, LeaseHooks, LeaseRecord } from './expiration/index.js';
import type { Mount, MountTable } from './mounts/mount-table.js';

export interface LeaseHookDeps {
  mounts: MountTable;
  tokens: TokenStore;
  clock: Clock;
  logger: Logger;
}

function mountByAccessor(mounts: MountTable, accessor: string): Mount | undefined {
  return mounts.all().find((mount) => mount.entry.accessor === accessor);
}

export function createLeaseHooks(deps: LeaseHookDeps): LeaseHooks {
  function secretContext(mount: Mount, lease: LeaseRecord, incrementSec: number): SecretContext {
    return {
      leaseId: lease.leaseId,
      internal: lease.internal ?? {},
      issueTimeMs: lease.issueTimeMs,
      incrementSec,
      storage: mount.storage,
      clock: deps.clock,
      logger: deps.logger,
      mount: mount.env.mount(),
    };
  }

  function secretOf(lease: LeaseRecord) {
    const mount = mountByAccessor(deps.mounts, lease.mountAccessor);
    // Throwing keeps the lease: it is retried, and never silently dropped.
    if (!mount) throw new Error(`no mount with accessor ${lease.mountAccessor} for lease ${lease.leaseId}`);
    return { mount, definition: lease.secretType ? mount.backend.secret(lease.secretType) : undefined };
  }

  return {
    async revoke(lease) {
      if (lease.kind === 'token') {
        await deps.tokens.revokeTree(lease.tokenHash);
        return;
      }
      const { mount, definition } = secretOf(lease);
      if (!definition) throw new Error(`backend at ${mount.entry.path} has no secret type "${lease.secretType ?? ''}"`);
      await definition.revoke(secretContext(mount, lease, 0));
    },

    async renew(lease, incrementSec) {
      if (lease.kind === 'token') throw VaultError.invalid('tokens cannot be renewed through this endpoint');
      const { mount, definition } = secretOf(lease);
      if (!definition?.renew) throw VaultError.invalid('lease is not renewable');
      const renewed = await definition.renew(secretContext(mount, lease, incrementSec));
      return { ttlSec: renewed?.ttlSec ?? 0, maxTtlSec: renewed?.maxTtlSec ?? 0 };
    },

    mountTtl(lease) {
      const mount = mountByAccessor(deps.mounts, lease.mountAccessor);
      const info = mount?.env.mount();
      return info ? { defaultTtlSec: info.defaultLeaseTtlSec, maxTtlSec: info.maxLeaseTtlSec } : { defaultTtlSec: 0, maxTtlSec: 0 };
    },

    async tokenExists(tokenHash) {
      return (await deps.tokens.byHash(tokenHash)) !== undefined;
    },
  };
}

/** A token's lease, mirrored from its entry (`<token path>/<salted id>`, as Vault names it). */
export async function mirrorTokenLease(expiration: ExpirationManager, entry: TokenEntry, mountAccessor: string): Promise<void> {
  await expiration.registerToken({
    leaseId: `${entry.path}/${entry.idHash}`,
    path: entry.path,
    mountAccessor,
    tokenHash: entry.idHash,
    issueTimeMs: entry.creationTimeMs,
    expireTimeMs: entry.expireTimeMs,
    ttlSec: entry.ttlSec,
    maxTtlSec: entry.explicitMaxTtlSec,
    renewable: entry.renewable,
    lastRenewalTimeMs: entry.lastRenewalTimeMs,
  });
}
