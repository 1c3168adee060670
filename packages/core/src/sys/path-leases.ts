// sys/leases/* and the legacy sys/renew, sys/revoke* (vault-api.md L1–L8): leases by id, prefix, or all at once.
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { ExpirationManager } from '../expiration/index.js';

const leaseFields = {
  lease_id: field.string('The lease id.'),
  url_lease_id: field.string('The lease id, from the URL.'),
  increment: field.duration('Requested extension of the lease, in seconds or a duration.'),
  sync: field.bool('Revoke before answering (true) or queue the revocation (false).', { default: true }),
};
const prefixFields = {
  prefix: field.string('Lease id prefix.'),
  sync: field.bool('Revoke before answering (true) or queue the revocation (false).', { default: true }),
};

const irrevocableFields = { type: field.string('Which leases: only "irrevocable" is supported.') };

type LeaseContext = PathContext<typeof leaseFields>;

function leaseIdOf(ctx: LeaseContext): string {
  const id = ctx.data.url_lease_id || ctx.data.lease_id;
  if (!id) throw VaultError.invalid('lease_id must be specified');
  return id;
}

export function leasePaths(deps: { expiration: ExpirationManager }) {
  /** Vault only counts and lists leases whose revocation has given up (`type=irrevocable`). */
  async function irrevocable(type: string | undefined) {
    if (type !== 'irrevocable') throw VaultError.invalid('error parsing type: "irrevocable" is the only supported type');
    return deps.expiration.listIrrevocable();
  }

  async function lookup(ctx: LeaseContext): Promise<HandlerResult> {
    const id = ctx.data.lease_id;
    if (!id) throw VaultError.invalid('missing lease id');
    return { data: { ...(await deps.expiration.lookupResponse(id)) } };
  }

  async function list(ctx: PathContext<typeof prefixFields>): Promise<HandlerResult | undefined> {
    const keys = await deps.expiration.listIds(ctx.data.prefix ?? '');
    return keys.length > 0 ? { data: { keys } } : undefined;
  }

  async function renew(ctx: LeaseContext): Promise<HandlerResult> {
    const { lease, warnings } = await deps.expiration.renew(leaseIdOf(ctx), ctx.data.increment ?? 0);
    return {
      lease: { leaseId: lease.leaseId, ttlSec: lease.ttlSec, renewable: lease.renewable },
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  async function revoke(ctx: LeaseContext): Promise<HandlerResult | undefined> {
    const sync = ctx.data.sync ?? true;
    await deps.expiration.revoke(leaseIdOf(ctx), { sync });
    return sync ? undefined : { status: 202 };
  }

  function prefixRevoker(force: boolean) {
    return async (ctx: PathContext<typeof prefixFields>): Promise<HandlerResult | undefined> => {
      const sync = force || (ctx.data.sync ?? true);
      await deps.expiration.revokePrefix(ctx.data.prefix ?? '', { sync, force });
      return sync ? undefined : { status: 202 };
    };
  }

  const renewOps = { update: { summary: 'Renew a lease.', handler: renew } };
  const revokeOps = { update: { summary: 'Revoke a lease.', handler: revoke } };
  const help = { synopsis: 'Look up, renew and revoke leases.' };
  return [
    definePath({ pattern: 'leases/lookup', fields: leaseFields, operations: { update: { summary: 'Look up a lease.', handler: lookup } }, help }),
    definePath({ pattern: 'leases/lookup/*prefix?', fields: prefixFields, operations: { list: { summary: 'List lease ids.', handler: list } }, help }),
    definePath({ pattern: 'leases/renew/*url_lease_id?', fields: leaseFields, operations: renewOps, help }),
    definePath({ pattern: 'renew/*url_lease_id?', fields: leaseFields, operations: renewOps, help }),
    definePath({ pattern: 'leases/revoke/*url_lease_id?', fields: leaseFields, operations: revokeOps, help }),
    definePath({ pattern: 'revoke/*url_lease_id?', fields: leaseFields, operations: revokeOps, help }),
    definePath({ pattern: 'leases/revoke-prefix/*prefix', fields: prefixFields, operations: { update: { summary: 'Revoke by prefix.', handler: prefixRevoker(false) } }, help }),
    definePath({ pattern: 'revoke-prefix/*prefix', fields: prefixFields, operations: { update: { summary: 'Revoke by prefix.', handler: prefixRevoker(false) } }, help }),
    definePath({ pattern: 'leases/revoke-force/*prefix', fields: prefixFields, operations: { update: { summary: 'Delete leases by prefix.', handler: prefixRevoker(true) } }, help }),
    definePath({ pattern: 'revoke-force/*prefix', fields: prefixFields, operations: { update: { summary: 'Delete leases by prefix.', handler: prefixRevoker(true) } }, help }),
    definePath({
      pattern: 'leases/count',
      fields: irrevocableFields,
      operations: {
        read: {
          summary: 'Count irrevocable leases.',
          handler: async (ctx) => {
            const leases = await irrevocable(ctx.data.type);
            const counts: Record<string, number> = {};
            for (const lease of leases) counts[lease.mountAccessor] = (counts[lease.mountAccessor] ?? 0) + 1;
            return { data: { lease_count: leases.length, counts } };
          },
        },
      },
      help,
    }),
    definePath({
      pattern: 'leases',
      fields: irrevocableFields,
      operations: {
        read: {
          summary: 'List irrevocable leases.',
          handler: async (ctx) => {
            const leases = await irrevocable(ctx.data.type);
            return {
              data: {
                lease_count: leases.length,
                leases: leases.map((lease) => ({ lease_id: lease.leaseId, mount_id: lease.mountAccessor, error: lease.revokeError ?? '' })),
              },
            };
          },
        },
      },
      help,
    }),
    definePath({
      pattern: 'leases/tidy',
      operations: {
        update: {
          summary: 'Clean up the lease store.',
          handler: async () => {
            await deps.expiration.tidy();
            return { status: 202, warnings: ["Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."] };
          },
        },
      },
      help,
    }),
  ];
}
