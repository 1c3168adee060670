// Quick start: create a vault in-process, initialise it with Shamir shares, unseal it, mount an
// engine, use it, rotate the barrier key and seal again, printing each step as Vault would.
import { createVault, defineBackend, definePath, field, VaultError } from 'coffer';

/** A small engine written against the public SDK: notes stored encrypted behind the barrier. */
const notesEngine = defineBackend(() => {
  const fields = { name: field.name('Name of the note.'), text: field.string('The note.') };
  return {
    type: 'notes',
    help: 'Stores short notes.',
    paths: [
      definePath({
        pattern: ':name',
        fields,
        operations: {
          update: {
            summary: 'Write a note.',
            handler: async (ctx) => {
              if (!ctx.data.text) throw VaultError.invalid('missing text');
              await ctx.storage.put(ctx.data.name!, new TextEncoder().encode(ctx.data.text));
              return undefined;
            },
          },
          read: {
            summary: 'Read a note.',
            handler: async (ctx) => {
              const bytes = await ctx.storage.get(ctx.data.name!);
              return bytes && { data: { text: new TextDecoder().decode(bytes) } };
            },
          },
        },
        help: { synopsis: 'Read and write notes.' },
      }),
    ],
  };
});

const vault = await createVault({ engines: { notes: { factory: notesEngine, kind: 'secret' } } });
const step = (title: string, value: unknown) => console.log(`\n== ${title}\n${JSON.stringify(value, null, 2)}`);

step('sys/seal-status before init', await vault.status());
const init = await vault.init({ secretShares: 5, secretThreshold: 3 });
step('sys/init (5 shares, threshold 3)', { keys: init.keys.map((k) => `${k.slice(0, 8)}…`), root_token: `${init.root_token.slice(0, 8)}…` });
for (const key of init.keys.slice(0, 3)) {
  const status = await vault.unseal(key);
  console.log(`unseal: progress ${status.progress}/${status.t}, sealed=${status.sealed}`);
}
const token = init.root_token;
await vault.handle({ operation: 'update', path: 'sys/mounts/notes', token, data: { type: 'notes', description: 'my notes' } });
await vault.handle({ operation: 'update', path: 'notes/first', token, data: { text: 'hello from an in-process vault' } });
step('read notes/first', (await vault.handle({ operation: 'read', path: 'notes/first', token })).data);
step('sys/mounts', Object.keys((await vault.handle({ operation: 'read', path: 'sys/mounts', token })).data ?? {}));

// A policy that may only read notes, and a token that carries it.
await vault.handle({ operation: 'update', path: 'sys/policies/acl/notes-reader', token, data: { policy: 'path "notes/*" { capabilities = ["read"] }' } });
const reader = await vault.handle({ operation: 'update', path: 'auth/token/create', token, data: { policies: ['notes-reader'], ttl: '1h' } });
step('auth/token/create -policy=notes-reader', { policies: reader.auth?.policies, lease_duration: reader.auth?.lease_duration });
const readerToken = reader.auth!.client_token;
step('the reader reads notes/first', (await vault.handle({ operation: 'read', path: 'notes/first', token: readerToken })).data);
try {
  await vault.handle({ operation: 'update', path: 'notes/first', token: readerToken, data: { text: 'overwrite' } });
} catch (error) {
  step('the reader may not write', { status: (error as VaultError).status, errors: (error as VaultError).errors });
}
// Response wrapping: the note travels inside a single-use token.
const wrapped = await vault.handle({ operation: 'read', path: 'notes/first', token, wrapTtl: '5m' });
step('wrapped read', wrapped.wrapInfo && { ttl: wrapped.wrapInfo.ttl, creation_path: wrapped.wrapInfo.creation_path });
step('sys/wrapping/unwrap', (await vault.handle({ operation: 'update', path: 'sys/wrapping/unwrap', token, data: { token: wrapped.wrapInfo!.token } })).data);
await vault.handle({ operation: 'update', path: 'sys/rotate', token });
step('sys/key-status after rotate', (await vault.handle({ operation: 'read', path: 'sys/key-status', token })).data);
await vault.handle({ operation: 'update', path: 'sys/seal', token });
step('sys/seal-status after seal', await vault.status());
await vault.close();
