// One HTTP exchange against a vault: map, handle, render. Everything else is vault.handle().
import type { Request, Response } from '@coffer/sdk';
import type { HttpInput, HttpOutput } from './http-exchange.js';
import { renderFailure, renderHelp, renderResponse } from './render-response.js';
import { toVaultRequest } from './to-vault-request.js';

/** What the adapter needs of a vault: `createVault()`'s result, or anything that answers like it. */
export interface VaultLike {
  handle(request: Request): Promise<Response>;
}

export async function handleHttp(vault: VaultLike, input: HttpInput): Promise<HttpOutput> {
  let head = input.method === 'HEAD';
  try {
    const mapped = toVaultRequest(input);
    head = mapped.head;
    const response = await vault.handle(mapped.request);
    return mapped.request.operation === 'help' ? renderHelp(response, head) : renderResponse(response, head);
  } catch (error) {
    return renderFailure(error, head);
  }
}
