// sys/wrapping/wrap, unwrap, lookup, rewrap (vault-api.md W1–W4).
import { definePath, field, VaultError, type HandlerResult } from '@coffer/sdk';
import type { ResponseWrapper } from '../wrapping/response-wrapper.js';

const tokenFields = { token: field.string('The wrapping token.') };

export function wrappingPaths(deps: { wrapper: ResponseWrapper }) {
  return [
    definePath({
      pattern: 'wrapping/wrap',
      arbitraryData: true,
      operations: {
        update: {
          summary: 'Wrap the given values in a single-use token.',
          handler: (ctx): HandlerResult => {
            // The pipeline wraps the response; without a wrap TTL there is nothing to wrap it in.
            if (!ctx.wrapTtlSec) throw VaultError.invalid('endpoint requires response wrapping to be used');
            return { data: { ...ctx.raw } };
          },
        },
      },
      help: { synopsis: 'Response-wraps an arbitrary JSON object.' },
    }),
    definePath({
      pattern: 'wrapping/unwrap',
      fields: tokenFields,
      operations: {
        update: {
          summary: 'Return the wrapped response and spend the token.',
          handler: async (ctx): Promise<HandlerResult> => {
            const response = await deps.wrapper.unwrap(ctx.data.token || undefined, {
              ...(ctx.caller.clientToken ? { token: ctx.caller.clientToken } : {}),
              ...(ctx.caller.policies ? { policies: ctx.caller.policies } : {}),
            });
            return { response };
          },
        },
      },
      help: { synopsis: 'Unwraps a response-wrapped token.' },
    }),
    definePath({
      pattern: 'wrapping/lookup',
      fields: tokenFields,
      operations: {
        update: {
          summary: 'Describe a wrapping token without using it.',
          handler: async (ctx) => {
            if (!ctx.data.token) throw VaultError.invalid('missing "token" value in input');
            return { data: { ...(await deps.wrapper.lookup(ctx.data.token)) } };
          },
        },
      },
      help: { synopsis: 'Looks up the properties of a response-wrapped token.' },
    }),
    definePath({
      pattern: 'wrapping/rewrap',
      fields: tokenFields,
      operations: {
        update: {
          summary: 'Move a wrapped response to a new wrapping token.',
          handler: async (ctx): Promise<HandlerResult> => {
            if (!ctx.data.token) throw VaultError.invalid('missing "token" value in input');
            return { response: await deps.wrapper.rewrap(ctx.data.token) };
          },
        },
      },
      help: { synopsis: 'Rotates a response-wrapped token.' },
    }),
  ];
}
