// Role names are case-insensitive (Vault lower-cases them), so every variant reaches the same role (reliability.md B3).
import { VaultError } from '@coffer/sdk';

const ROLE_NAME = /^\w(?:[\w.-]*\w)?$/;

export function roleNameOf(raw: string | undefined): string {
  const name = (raw ?? '').trim().toLowerCase();
  if (!ROLE_NAME.test(name)) throw VaultError.invalid(`invalid role name ${JSON.stringify(raw ?? '')}`);
  return name;
}
