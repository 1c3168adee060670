// sys/policy and sys/policies/acl (vault-api.md P1–P8): ACL policy CRUD. Only the legacy sys/policy routes inject data.
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { PolicyStore } from '../policy/policy-store.js';

const nameField = { name: field.string('Name of the policy.') };
const writeFields = {
  ...nameField,
  policy: field.string('The policy document, HCL or JSON, optionally base64-encoded.'),
  rules: field.string('Deprecated alias of policy (sys/policy only).'),
};

/** Vault takes policies base64-encoded too: text that is strict base64 is used decoded. */
export function decodeIfBase64(text: string): string {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return text;
  return Buffer.from(text, 'base64').toString('utf8');
}

export function policyPaths(deps: { policies: PolicyStore }) {
  async function list(legacy: boolean): Promise<HandlerResult> {
    const keys = await deps.policies.list();
    return legacy ? { data: { keys, policies: keys }, injectData: true } : { data: { keys } };
  }

  async function read(ctx: PathContext<typeof nameField>, legacy: boolean): Promise<HandlerResult | undefined> {
    const policy = await deps.policies.get(ctx.data.name ?? '');
    if (!policy) return undefined;
    return legacy ? { data: { name: policy.name, rules: policy.text }, injectData: true } : { data: { name: policy.name, policy: policy.text } };
  }

  async function write(ctx: PathContext<typeof writeFields>, legacy: boolean): Promise<HandlerResult | undefined> {
    const rawName = ctx.data.name ?? '';
    const warnings: string[] = [];
    let text = ctx.data.policy ?? '';
    if (text === '' && legacy && ctx.data.rules) {
      text = ctx.data.rules;
      warnings.push("'rules' is deprecated, please use 'policy' instead");
    }
    if (text === '') throw VaultError.invalid("'policy' parameter not supplied or empty");
    const name = rawName.trim().toLowerCase();
    if (name !== rawName && name !== '') warnings.push(`policy name was converted to ${name}`);
    await deps.policies.set(rawName, decodeIfBase64(text));
    return warnings.length > 0 ? { warnings } : undefined;
  }

  async function remove(ctx: PathContext<typeof nameField>): Promise<undefined> {
    await deps.policies.delete(ctx.data.name ?? '');
    return undefined;
  }

  const listHelp = { synopsis: 'List the ACL policies.' };
  const itemHelp = { synopsis: 'Read, write or delete an ACL policy.' };
  return [
    definePath({
      pattern: 'policy',
      operations: {
        read: { summary: 'List policies.', handler: () => list(true) },
        list: { summary: 'List policies.', handler: () => list(true) },
      },
      help: listHelp,
    }),
    definePath({
      pattern: 'policy/*name',
      fields: writeFields,
      operations: {
        read: { summary: 'Read a policy.', handler: (ctx) => read(ctx, true) },
        update: { summary: 'Write a policy.', handler: (ctx) => write(ctx, true) },
        delete: { summary: 'Delete a policy.', handler: remove },
      },
      help: itemHelp,
    }),
    definePath({
      pattern: 'policies/acl',
      operations: { list: { summary: 'List ACL policies.', handler: () => list(false) } },
      help: listHelp,
    }),
    definePath({
      pattern: 'policies/acl/*name',
      fields: writeFields,
      operations: {
        read: { summary: 'Read an ACL policy.', handler: (ctx) => read(ctx, false) },
        update: { summary: 'Write an ACL policy.', handler: (ctx) => write(ctx, false) },
        delete: { summary: 'Delete an ACL policy.', handler: remove },
      },
      help: itemHelp,
    }),
  ];
}
