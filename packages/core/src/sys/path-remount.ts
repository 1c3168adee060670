// sys/remount and sys/remount/status/:id: move a mount to a new path (vault-api.md M11).
import { definePath, field, randomUuid, VaultError, type Field, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { SysDeps } from './sys-deps.js';

interface Migration {
  source_mount: string;
  target_mount: string;
  status: 'in-progress' | 'success' | 'failure';
}

const remountFields = {
  from: field.string('The current path of the mount.'),
  to: field.string('The new path of the mount.'),
};

function split(path: string): { table: 'secret' | 'auth'; path: string; full: string } {
  const trimmed = `${path.replace(/^\/+/, '').replace(/\/+$/, '')}/`;
  if (trimmed === '/') throw VaultError.invalid('"from" and "to" must be set');
  if (trimmed.startsWith('auth/')) return { table: 'auth', path: trimmed.slice('auth/'.length), full: trimmed };
  return { table: 'secret', path: trimmed, full: trimmed };
}

export function remountPaths(deps: SysDeps) {
  const migrations = new Map<string, Migration>();

  async function remount(ctx: PathContext<typeof remountFields>): Promise<HandlerResult> {
    if (!ctx.data.from || !ctx.data.to) throw VaultError.invalid('both "from" and "to" paths must be specified as strings');
    const from = split(ctx.data.from);
    const to = split(ctx.data.to);
    if (from.table !== to.table) throw VaultError.invalid('cannot remount between secrets engines and auth methods');
    for (const reserved of ['sys/', 'cubbyhole/', 'identity/', 'audit/']) {
      if (to.full.startsWith(reserved)) throw VaultError.invalid(`cannot remount to destination "${to.full}"`);
    }
    const migrationId = randomUuid(deps.random);
    const migration: Migration = { source_mount: from.full, target_mount: to.full, status: 'in-progress' };
    migrations.set(migrationId, migration);
    try {
      const mount = deps.mounts.get(from.full);
      await deps.mounts.move(from.full, to.path, to.table);
      migration.status = 'success';
      deps.events.emit('unmounted', { path: from.full, type: mount?.entry.type ?? '', table: from.table });
      deps.events.emit('mounted', { path: to.full, type: mount?.entry.type ?? '', table: to.table });
    } catch (error) {
      migrations.delete(migrationId);
      throw error;
    }
    return { data: { migration_id: migrationId }, injectData: true };
  }

  function status(ctx: PathContext<{ migration_id: Field<string, false> }>): HandlerResult | undefined {
    const id = ctx.data.migration_id ?? '';
    const migration = migrations.get(id);
    if (!migration) return undefined;
    return { data: { migration_id: id, migration_info: { ...migration } } };
  }

  return [
    definePath({
      pattern: 'remount',
      fields: remountFields,
      operations: { update: { summary: 'Move a mount.', handler: remount } },
      help: { synopsis: 'Move the mount point of an already-mounted backend.' },
    }),
    definePath({
      pattern: 'remount/status/:migration_id',
      fields: { migration_id: field.string('Migration id returned by sys/remount.') },
      operations: { read: { summary: 'Status of a remount.', handler: status } },
      help: { synopsis: 'Check the status of a mount move operation.' },
    }),
  ];
}
