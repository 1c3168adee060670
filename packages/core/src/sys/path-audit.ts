// sys/audit, sys/audit/:path, sys/audit-hash/:path: list, enable, disable audit devices and hash with their salt (vault-api.md A1–A4).
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { AuditBroker } from '../audit/audit-broker.js';

const enableFields = {
  path: field.string('Path of the audit device, e.g. "file".'),
  type: field.string('Type of the audit device: "file" or "socket".'),
  description: field.string('User-friendly description of the audit device.', { default: '' }),
  // Vault's options are TypeKVPairs: every value arrives as a string, as the devices expect.
  options: field.kvPairs('Device options, e.g. file_path, log_raw, hmac_accessor, mode, elide_list_responses.'),
  local: field.bool('Not replicated (accepted for compatibility).', { default: false }),
};

const hashFields = {
  path: field.string('Path of the audit device whose salt is used.'),
  input: field.string('The value to hash.'),
};

export interface AuditPathDeps {
  broker: AuditBroker;
}

export function auditPaths(deps: AuditPathDeps) {
  function list(): HandlerResult {
    return { data: deps.broker.list(), injectData: true };
  }

  async function enable(ctx: PathContext<typeof enableFields>): Promise<undefined> {
    await deps.broker.enable(ctx.data.path ?? '', {
      type: ctx.data.type ?? '',
      description: ctx.data.description,
      local: ctx.data.local,
      options: ctx.data.options ?? {},
    });
    return undefined;
  }

  async function disable(ctx: PathContext<typeof enableFields>): Promise<undefined> {
    // Disabling a device that is not there succeeds quietly, as in Vault.
    await deps.broker.disable(ctx.data.path ?? '');
    return undefined;
  }

  function hash(ctx: PathContext<typeof hashFields>): HandlerResult {
    const input = ctx.data.input ?? '';
    if (input === '') throw VaultError.invalid('the "input" parameter is empty');
    return { data: { hash: deps.broker.hash(ctx.data.path ?? '', input) }, injectData: true };
  }

  return [
    definePath({
      pattern: 'audit',
      operations: { read: { summary: 'List the enabled audit devices.', handler: list } },
      help: { synopsis: 'List the currently enabled audit backends.' },
    }),
    definePath({
      pattern: 'audit/*path',
      fields: enableFields,
      operations: {
        update: { summary: 'Enable an audit device.', handler: enable },
        delete: { summary: 'Disable an audit device.', handler: disable },
      },
      help: { synopsis: 'Enable or disable audit backends.' },
    }),
    definePath({
      pattern: 'audit-hash/*path',
      fields: hashFields,
      operations: { update: { summary: 'Hash a value with an audit device’s salt.', handler: hash } },
      help: { synopsis: 'The hash of the given string via the given audit backend.' },
    }),
  ];
}
