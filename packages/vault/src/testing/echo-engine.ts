// A minimal engine for tests: stores what it is given, so mounts have something to route to.
import { defineBackend, definePath, field } from '@coffer/sdk';

export const echoEngine = defineBackend(() => ({
  type: 'echo',
  help: 'Stores values.',
  paths: [
    definePath({
      pattern: '*key',
      fields: { key: field.string('Key.'), value: field.string('Value.') },
      operations: {
        read: {
          summary: 'Read.',
          handler: async (ctx) => {
            const bytes = await ctx.storage.get(ctx.data.key!);
            return bytes && { data: { value: new TextDecoder().decode(bytes), ttl: ctx.mount.defaultLeaseTtlSec, mount: ctx.mount.path } };
          },
        },
        update: {
          summary: 'Write.',
          handler: async (ctx) => {
            await ctx.storage.put(ctx.data.key!, new TextEncoder().encode(ctx.data.value ?? ''));
            return undefined;
          },
        },
      },
      help: { synopsis: 'Echo values.' },
    }),
  ],
}));
