// What a new secret id may ask for (path_role.go handleRoleSecretIDCommon): only ever tighter than its role.
import { addressAllowed, checkCidr, VaultError } from '@coffer/sdk';
import type { RoleEntry } from './approle-storage.js';

/** The uses and TTL a new secret id gets: the request's, which may only tighten the role's limits. */
export function secretIdLimits(role: RoleEntry, numUses: number | undefined, ttlSec: number | undefined): { numUses: number; ttlSec: number } {
  const uses = numUses ?? role.secretIdNumUses;
  if (uses < 0) throw VaultError.invalid('num_uses cannot be negative');
  if (role.secretIdNumUses > 0 && (uses === 0 || uses > role.secretIdNumUses)) throw VaultError.invalid("num_uses cannot be higher than the role's secret_id_num_uses");
  const ttl = ttlSec ?? role.secretIdTtlSec;
  if (role.secretIdTtlSec > 0 && (ttl === 0 || ttl > role.secretIdTtlSec)) throw VaultError.invalid("ttl cannot be longer than the role's secret_id_ttl");
  return { numUses: uses, ttlSec: ttl };
}

/** Whether every address of block `inner` lies in one of `outer` (same family, prefix at least as long, base inside). */
function blockInside(inner: string, outer: readonly string[]): boolean {
  const [base, prefixText] = inner.split('/');
  const prefix = prefixText === undefined ? (base!.includes(':') ? 128 : 32) : Number(prefixText);
  return outer.some((block) => {
    const outerPrefix = block.includes('/') ? Number(block.split('/')[1]) : block.includes(':') ? 128 : 32;
    return prefix >= outerPrefix && base!.includes(':') === block.includes(':') && addressAllowed(base, [block]);
  });
}

/** CIDR blocks asked for on a secret id, which must sit inside the role's own blocks when it has some. */
export function secretIdCidrs(requested: readonly string[] | undefined, roleBlocks: readonly string[], what: string): string[] {
  let blocks: string[];
  try {
    blocks = (requested ?? []).map(checkCidr);
  } catch (error) {
    throw VaultError.invalid((error as Error).message);
  }
  if (roleBlocks.length > 0 && blocks.some((block) => !blockInside(block, roleBlocks))) {
    throw VaultError.invalid(`failed to verify the CIDR restrictions set on the secret ID: ${what} must be a subset of the role's`);
  }
  return blocks;
}
