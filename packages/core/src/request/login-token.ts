// The token a successful login gets (vault/request_handling.go handleLoginRequest): orphan, owned by the auth mount, leased like any token.
import { calculateTtl, VaultError, type AuthInfo, type Clock, type LoginGrant, type LoginTokenType, type MountInfo } from '@coffer/sdk';
import { authInfo, type TokenStore } from '@coffer/token-store';
import type { EntityAliases } from '../identity/entity-aliases.js';

export interface LoginTokenDeps {
  tokens: TokenStore;
  clock: Clock;
  aliases: EntityAliases;
}

/** `auth/userpass/` + `alice` -> `userpass-alice`; `auth/approle/` + `` -> `approle`, as Vault names login tokens. */
export function loginDisplayName(mountPath: string, name: string): string {
  const base = mountPath.replace(/^auth\//, '').replace(/\/$/, '').replaceAll('/', '-');
  return name === '' ? base : `${base}-${name}`;
}

/** Policies as the token holds them: trimmed, lower-cased, sorted, `default` added unless refused; `root` is never granted by a login. */
function loginPolicies(granted: readonly string[], noDefaultPolicy: boolean): string[] {
  const set = new Set(granted.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''));
  if (set.has('root')) throw VaultError.invalid('auth methods cannot create root tokens');
  if (!noDefaultPolicy) set.add('default');
  return [...set].sort();
}

/**
 * The kind of token a login gets (Vault's router.go): an auth mount tuned to `service` or `batch`
 * decides; otherwise the method's explicit choice, then its `default-*` leaning, then the
 * mount's default.
 */
export function loginTokenKind(requested: LoginTokenType, mountTokenType: string | undefined): 'service' | 'batch' {
  if (mountTokenType === 'service' || mountTokenType === 'batch') return mountTokenType;
  if (requested === 'service' || requested === 'batch') return requested;
  if (requested === 'default-service') return 'service';
  if (requested === 'default-batch') return 'batch';
  return mountTokenType === 'default-batch' ? 'batch' : 'service';
}

export async function issueLoginToken(deps: LoginTokenDeps, path: string, mount: MountInfo, mountTokenType: string | undefined, grant: LoginGrant): Promise<{ auth: AuthInfo; warnings: string[] }> {
  const nowMs = deps.clock.now();
  const policies = loginPolicies(grant.policies, grant.noDefaultPolicy);
  const { ttlSec, warnings } = calculateTtl({
    nowMs,
    issueTimeMs: nowMs,
    incrementSec: 0,
    requestedTtlSec: grant.ttlSec,
    periodSec: grant.periodSec,
    explicitMaxTtlSec: grant.explicitMaxTtlSec,
    backendMaxTtlSec: grant.maxTtlSec,
    mountDefaultTtlSec: mount.defaultLeaseTtlSec,
    mountMaxTtlSec: mount.maxLeaseTtlSec,
  });
  const entityId = await deps.aliases.entityIdFor(mount.accessor, grant.aliasName);
  const displayName = loginDisplayName(mount.path, grant.displayName);
  const batch = loginTokenKind(grant.tokenType, mountTokenType) === 'batch';
  // A batch token has no use count to keep (vault-api.md §2.3): refused rather than dropped.
  if (batch && grant.numUses > 0) throw VaultError.invalid('batch tokens cannot be created with a limited number of uses');
  const boundCidrs = grant.boundCidrs.length > 0 ? { boundCidrs: [...grant.boundCidrs] } : {};
  const { id, entry } = batch
    ? await deps.tokens.createBatch({ policies, path, displayName, meta: { ...grant.metadata }, creationTimeMs: nowMs, ttlSec, entityId, ...boundCidrs })
    : await deps.tokens.create({
        policies,
        path,
        displayName,
        meta: { ...grant.metadata },
        numUses: grant.numUses,
        creationTtlSec: ttlSec,
        ttlSec,
        explicitMaxTtlSec: grant.explicitMaxTtlSec,
        periodSec: grant.periodSec,
        renewable: true,
        type: 'service',
        entityId,
        ...boundCidrs,
        login: { mountAccessor: mount.accessor, internal: grant.internal, policies: [...grant.policies] },
      });
  return { auth: authInfo(id, entry, !batch), warnings };
}
