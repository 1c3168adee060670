export { createTokenStore } from './token-store.js';
export type { TokenStore, TokenStoreHooks, TokenStoreOptions, NewToken } from './token-store.js';
export { createTokenBackend, TOKEN_ROOT_PATHS } from './token-backend.js';
export type { TokenBackendDeps } from './token-backend-deps.js';
export { isRootEntry, isExpired, remainingTtlSec } from './token-entry.js';
export type { TokenEntry, ResolvedToken, TokenType } from './token-entry.js';
export { BATCH_TOKEN_PREFIX, isBatchTokenId, SERVICE_TOKEN_PREFIX } from './token-ids.js';
export type { BatchClaims } from './batch-token.js';
export { sanitizePolicies } from './policy-names.js';
