// The AppRole auth method: role ids and secret ids for machines (vault-api.md §1.9, §2.7).
export { createAppRoleBackend } from './approle-backend.js';
