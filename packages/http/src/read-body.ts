// Request bodies read up to the configured limit: past it the answer is Vault's 413, decided
// from Content-Length before reading when the client declared one.
import { concatBytes } from '@coffer/sdk';
import { HttpMappingError } from './http-exchange.js';

export function tooLarge(): HttpMappingError {
  return new HttpMappingError(413, ['http: request body too large']);
}

/** Refuses a declared Content-Length over the limit without reading anything. */
export function checkDeclaredLength(contentLength: string | null | undefined, limit: number): void {
  if (contentLength !== null && contentLength !== undefined && Number(contentLength) > limit) throw tooLarge();
}

/** Concatenates chunks, failing as soon as their total passes `limit`. */
export async function collectBody(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limit) throw tooLarge();
    parts.push(chunk);
  }
  return parts.length === 0 ? new Uint8Array(0) : concatBytes(parts);
}
