// node-vault clients for the compatibility suite, including the one way node-vault 0.10.x can be
// made to trust a private CA (its `requestOptions.ca` is dropped before the request is sent).
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import NodeVault from 'node-vault';

/** node-vault's own copy of a dependency (pnpm keeps it out of this package's node_modules). */
export const requireFromNodeVault = createRequire(createRequire(import.meta.url).resolve('node-vault'));

interface AxiosModule {
  defaults: { httpsAgent?: unknown };
}

export interface ClientOptions {
  endpoint: string;
  token?: string;
  /** PEM of the CA that signed the server's certificate. */
  ca?: string;
  /** GET ?list=1 instead of the LIST verb. */
  noCustomHTTPVerbs?: boolean;
}

/** node-vault's client; its index.d.ts omits `unwrap`, which src/commands.js does define. */
export type NodeVaultClient = NodeVault.client & { unwrap(options?: NodeVault.Option): ReturnType<NodeVault.client['read']> };

export function nodeVault(options: ClientOptions): NodeVaultClient {
  const config: NodeVault.VaultOptions = {
    endpoint: options.endpoint,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.noCustomHTTPVerbs ? { noCustomHTTPVerbs: true } : {}),
  };
  if (options.ca === undefined) return NodeVault(config) as NodeVaultClient;
  // node-vault 0.10.10 builds one axios instance per client (axios.create, src/index.js) and
  // passes only method, url, headers and body per request, so `requestOptions: { ca }` never
  // reaches TLS. axios.create copies axios.defaults at that moment: an https.Agent trusting the
  // CA, set only while the client is built, ends up in this client alone, with verification on.
  const axios = requireFromNodeVault('axios') as AxiosModule;
  const previous = axios.defaults.httpsAgent;
  axios.defaults.httpsAgent = new Agent({ ca: options.ca });
  try {
    return NodeVault(config) as NodeVaultClient;
  } finally {
    axios.defaults.httpsAgent = previous;
  }
}

/** What node-vault rejects with for a non-2xx answer (its ApiResponseError is not exported). */
export interface ApiResponseError extends Error {
  response: { statusCode: number; body: unknown };
}

/** The ApiResponseError `promise` rejects with; fails if it resolves or rejects with anything else. */
export async function apiError(promise: Promise<unknown>): Promise<ApiResponseError> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    if (error instanceof Error && typeof (error as Partial<ApiResponseError>).response?.statusCode === 'number') return error as ApiResponseError;
    throw error;
  }
  throw new Error(`expected node-vault to reject with an ApiResponseError, it resolved with ${JSON.stringify(result)}`);
}
