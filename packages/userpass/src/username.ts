// One spelling per user (CVE-2025-6004): create, read, login and the lockout counter all key on it.

/** Vault's GenericNameRegex: word characters, `-` and `.`, starting and ending with a word character. */
const USERNAME = /^\w(?:[\w.-]*\w)?$/;

/** Whether a normalised name can be a user at all (and so a storage key). */
export function isValidUsername(username: string): boolean {
  return USERNAME.test(username);
}

/** Trimmed and lower-cased, as Vault lower-cases usernames; `ALICE` and ` alice` are `alice`. */
export function normalizeUsername(raw: string): string {
  return raw.trim().toLowerCase();
}
