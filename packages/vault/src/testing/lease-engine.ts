// An engine for lease tests: issues credentials under leases and records every renewal and revocation.
import { defineBackend, definePath, defineSecret, field, type BackendFactory } from '@coffer/sdk';

export interface LeaseEngine {
  factory: BackendFactory;
  /** Usernames whose credentials were revoked, in order. */
  revoked: string[];
  renewed: string[];
  /** While set, revocation throws (a database that is down). */
  failRevoke: boolean;
}

export function createLeaseEngine(): LeaseEngine {
  let issued = 0;
  const engine: LeaseEngine = {
    revoked: [],
    renewed: [],
    failRevoke: false,
    factory: defineBackend(() => ({
      type: 'leasing',
      help: 'Issues leased credentials.',
      secrets: [
        defineSecret<{ username: string; maxTtlSec: number }>({
          type: 'creds',
          renew: async (ctx) => {
            engine.renewed.push(ctx.internal.username);
            // As Vault's backends do (LeaseExtend): the role's max again, the TTL left to the request.
            return { ttlSec: 0, maxTtlSec: ctx.internal.maxTtlSec };
          },
          revoke: async (ctx) => {
            if (engine.failRevoke) throw new Error('connection refused');
            engine.revoked.push(ctx.internal.username);
          },
        }),
      ],
      paths: [
        definePath({
          pattern: 'creds/:role',
          fields: { role: field.string('Role.'), ttl: field.duration('TTL of the credentials.'), max_ttl: field.duration('Max TTL.') },
          operations: {
            read: {
              summary: 'Issue credentials.',
              handler: (ctx) => {
                const username = `v-${ctx.data.role}-${++issued}`;
                return {
                  data: { username, password: `pw-${issued}` },
                  secret: { type: 'creds', internal: { username, maxTtlSec: ctx.data.max_ttl ?? 0 }, ttlSec: ctx.data.ttl ?? 0, maxTtlSec: ctx.data.max_ttl ?? 0 },
                };
              },
            },
          },
          help: { synopsis: 'Credentials.' },
        }),
      ],
    })),
  };
  return engine;
}
