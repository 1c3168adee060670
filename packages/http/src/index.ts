// Vault's /v1 HTTP API over a Coffer vault: a fetch handler, a node:http handler, and a listener.
export { createFetchHandler } from './fetch-handler.js';
export { createNodeHandler } from './node-handler.js';
export { listen } from './listen.js';
export type { HttpListener, ListenOptions } from './listen.js';
export type { VaultLike } from './handle-http.js';
export { DEFAULT_MAX_REQUEST_BYTES } from './http-exchange.js';
export type { HttpHandlerOptions } from './http-exchange.js';
export { acceptListMethod } from './list-method-rewrite.js';
