// sys/internal/ui/mounts[/path]: the mount discovery the Vault CLI runs before every `vault kv` command (M12).
import { definePath, field, VaultError, type Field, type HandlerResult, type PathContext } from '@coffer/sdk';
import { mountEntryWire } from '../mounts/mount-entry.js';
import type { SysDeps } from './sys-deps.js';

export function internalUiMountsPaths(deps: SysDeps) {
  function list(ctx: PathContext): HandlerResult {
    const authenticated = ctx.caller.policies !== undefined;
    const section = (table: 'secret' | 'auth'): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const entry of deps.mounts.entries(table)) {
        const full = table === 'auth' ? `auth/${entry.path}` : entry.path;
        const visible = authenticated ? deps.lifecycle.canAccessPath(ctx.caller, full) : entry.config.listingVisibility === 'unauth';
        if (visible) out[entry.path] = mountEntryWire(entry, deps.version);
      }
      return out;
    };
    return { data: { secret: section('secret'), auth: section('auth') } };
  }

  function read(ctx: PathContext<{ path: Field<string, false> }>): HandlerResult {
    const path = ctx.data.path ?? '';
    const denied = new VaultError('permission_denied', `preflight capability check returned 403, please ensure client's policies grant access to path "${path}"`);
    const routed = deps.mounts.route(path.endsWith('/') ? path : `${path}/`);
    if (!routed) throw denied;
    const { entry } = routed.mount;
    const full = entry.table === 'auth' ? `auth/${entry.path}` : entry.path;
    if (ctx.caller.policies === undefined || !deps.lifecycle.canAccessPath(ctx.caller, full)) throw denied;
    return { data: { ...mountEntryWire(entry, deps.version), path: entry.path } };
  }

  return [
    definePath({
      pattern: 'internal/ui/mounts',
      operations: { read: { summary: 'Mounts visible to the caller.', handler: list } },
      help: { synopsis: 'Information about mounts returned according to their tuned visibility.' },
    }),
    definePath({
      pattern: 'internal/ui/mounts/*path',
      fields: { path: field.string('Path inside a mount.') },
      operations: { read: { summary: 'The mount serving a path.', handler: read } },
      help: { synopsis: 'Return information about the mount that serves a path.' },
    }),
  ];
}
