// A userpass user as stored under the mount (path_users.go UserEntry): its password hash and token settings.
import { defaultTokenParams, fromUtf8, utf8, type TokenParams } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';

export interface UserEntry {
  passwordHash: string;
  token: TokenParams;
}

const USER_PREFIX = 'user/';

export async function readUser(storage: Storage, username: string): Promise<UserEntry | undefined> {
  const bytes = await storage.get(USER_PREFIX + username);
  if (!bytes) return undefined;
  const stored = JSON.parse(fromUtf8(bytes)) as UserEntry;
  return { passwordHash: stored.passwordHash, token: { ...defaultTokenParams(), ...stored.token } };
}

export async function writeUser(storage: Storage, username: string, user: UserEntry): Promise<void> {
  await storage.put(USER_PREFIX + username, utf8(JSON.stringify(user)));
}

export async function deleteUser(storage: Storage, username: string): Promise<void> {
  await storage.delete(USER_PREFIX + username);
}

export async function listUsers(storage: Storage): Promise<string[]> {
  return (await storage.list(USER_PREFIX)).filter((name) => !name.endsWith('/'));
}
