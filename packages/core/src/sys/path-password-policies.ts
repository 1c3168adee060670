// sys/policies/password/:name and .../generate (Vault's password policies): write, read, list, delete, and generate a password.
import { definePath, field, VaultError } from '@coffer/sdk';
import { PasswordPolicyError, type PasswordPolicyStore } from '../policy/password-policy-store.js';
import { decodeIfBase64 } from './path-policies.js';

const name = field.string('Name of the password policy.', { required: true, default: '' });

export function passwordPolicyPaths(store: PasswordPolicyStore) {
  return [
    definePath({
      pattern: 'policies/password',
      fields: {},
      operations: { list: { summary: 'List password policies.', handler: async () => ({ data: { keys: await store.list() } }) } },
      help: { synopsis: 'List the existing password policies.' },
    }),
    definePath({
      pattern: 'policies/password/:name',
      fields: { name, policy: field.string('The policy, HCL or base64-encoded HCL.') },
      operations: {
        update: {
          summary: 'Write a password policy.',
          handler: async (ctx) => {
            const text = decodeIfBase64(ctx.data.policy ?? '');
            if (!text) throw VaultError.invalid('missing policy');
            try {
              await store.write(ctx.data.name, text);
            } catch (error) {
              if (error instanceof PasswordPolicyError) throw VaultError.invalid(`invalid password policy: ${error.message}`);
              throw error;
            }
            return undefined;
          },
        },
        read: {
          summary: 'Read a password policy.',
          handler: async (ctx) => {
            const text = await store.read(ctx.data.name);
            return text === undefined ? undefined : { data: { policy: text } };
          },
        },
        delete: {
          summary: 'Delete a password policy.',
          handler: async (ctx) => {
            await store.delete(ctx.data.name);
            return undefined;
          },
        },
      },
      help: { synopsis: 'Read, write or delete a password policy.' },
    }),
    definePath({
      pattern: 'policies/password/:name/generate',
      fields: { name },
      operations: {
        read: {
          summary: 'Generate a password from the policy.',
          handler: async (ctx) => {
            if ((await store.read(ctx.data.name)) === undefined) throw VaultError.invalid(`policy "${ctx.data.name}" does not exist`);
            return { data: { password: await store.generate(ctx.data.name) } };
          },
        },
      },
      help: { synopsis: 'Generate a password from an existing password policy.' },
    }),
  ];
}
