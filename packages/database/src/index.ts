// The database secrets engine: PostgreSQL dynamic and static credentials (vault-api.md §1.13, §2.14).
export { createDatabaseBackend } from './database-backend.js';
