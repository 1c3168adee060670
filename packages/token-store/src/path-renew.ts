// auth/token/renew, renew-self, renew-accessor (vault-api.md T7–T9, §2.3 TTL rules).
import { calculateTtl, definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { authInfo } from './path-create.js';
import type { TokenEntry } from './token-entry.js';
import { readRole } from './token-role.js';
import type { TokenBackendDeps } from './token-backend-deps.js';

const incrementField = field.duration('Requested extension of the TTL; 0 grants the token\'s TTL again.');
const renewFields = { token: field.string('Token to renew.'), increment: incrementField };
const selfFields = { increment: incrementField };
const accessorFields = { accessor: field.string('Accessor of the token to renew.'), increment: incrementField };

export function renewPaths(deps: TokenBackendDeps) {
  async function renew(ctx: PathContext, entry: TokenEntry | undefined, clientToken: string, incrementSec: number): Promise<HandlerResult> {
    if (!entry) throw VaultError.invalid('token not found');
    if (entry.type === 'batch') throw VaultError.invalid('batch tokens cannot be renewed');
    if (!entry.renewable || entry.expireTimeMs === 0) throw VaultError.invalid('lease is not renewable');
    let periodSec = entry.periodSec;
    let explicitMaxTtlSec = entry.explicitMaxTtlSec;
    let requestedTtlSec = entry.ttlSec;
    let backendMaxTtlSec = 0;
    let mountDefaultTtlSec = ctx.mount.defaultLeaseTtlSec;
    let mountMaxTtlSec = ctx.mount.maxLeaseTtlSec;
    if (entry.login) {
      // A login token renews through its auth method, which re-checks the user or role and
      // answers with the settings that apply now, bounded by that mount's TTLs.
      const outcome = await deps.renewLogin(entry, incrementSec);
      ({ periodSec, maxTtlSec: backendMaxTtlSec } = outcome.renewal);
      if (outcome.renewal.ttlSec > 0) requestedTtlSec = outcome.renewal.ttlSec;
      mountDefaultTtlSec = outcome.mountDefaultTtlSec;
      mountMaxTtlSec = outcome.mountMaxTtlSec;
    } else if (entry.role) {
      // A role's current period and explicit max apply again at every renewal.
      const role = await readRole(ctx.storage, entry.role);
      if (role && role.tokenPeriodSec > 0) periodSec = role.tokenPeriodSec;
      if (role && role.tokenExplicitMaxTtlSec > 0) explicitMaxTtlSec = role.tokenExplicitMaxTtlSec;
    }
    const { ttlSec, warnings } = calculateTtl({
      nowMs: ctx.clock.now(),
      issueTimeMs: entry.creationTimeMs,
      incrementSec,
      requestedTtlSec,
      periodSec,
      explicitMaxTtlSec,
      backendMaxTtlSec,
      mountDefaultTtlSec,
      mountMaxTtlSec,
    });
    const renewed = await deps.store.renewed(entry.idHash, ttlSec);
    return { auth: authInfo(clientToken, renewed, true), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  const help = { synopsis: 'Renew a token, extending its TTL within its maximum.' };
  return [
    definePath({
      pattern: 'renew-self',
      fields: selfFields,
      operations: {
        update: {
          summary: 'Renew the calling token.',
          handler: async (ctx) => {
            const id = ctx.caller.clientToken ?? '';
            return renew(ctx, (await deps.store.resolveCaller(id))?.entry, id, ctx.data.increment ?? 0);
          },
        },
      },
      help,
    }),
    definePath({
      pattern: 'renew-accessor/:accessor?',
      fields: accessorFields,
      operations: {
        update: {
          summary: 'Renew a token by accessor.',
          handler: async (ctx) => {
            if (!ctx.data.accessor) throw VaultError.invalid('missing accessor');
            const entry = await deps.store.byAccessor(ctx.data.accessor);
            if (!entry) throw VaultError.invalid('invalid accessor');
            return renew(ctx, entry, '', ctx.data.increment ?? 0);
          },
        },
      },
      help,
    }),
    definePath({
      pattern: 'renew/:token?',
      fields: renewFields,
      operations: {
        update: {
          summary: 'Renew a token.',
          handler: async (ctx) => {
            const id = ctx.data.token;
            if (!id) throw VaultError.invalid('missing token ID');
            return renew(ctx, (await deps.store.resolve(id))?.entry, id, ctx.data.increment ?? 0);
          },
        },
      },
      help,
    }),
  ];
}
