// @coffer/kv: Vault's KV secrets engine, versions 1 and 2, as one `kv` mount type.
export { createKvBackend } from './kv-backend.js';
export { UPGRADE_IN_PROGRESS_ERROR } from './upgrade.js';
export { mergePatch } from './merge-patch.js';
