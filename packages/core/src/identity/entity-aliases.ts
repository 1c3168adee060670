// The identity entity a login maps to (Vault's identity store, reduced to what logins need):
// one entity per (auth mount, alias name), made at the first login and the same ever after.
import { randomUuid, toHex, utf8, type Crypto, type Random } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';

export interface EntityAliases {
  /** The entity id of `aliasName` on the auth mount with `mountAccessor`, made on first use. */
  entityIdFor(mountAccessor: string, aliasName: string): Promise<string>;
  /** Drops the salt held in memory (seal); it is read back from storage on next use. */
  forget(): void;
}

/**
 * Alias names are stored as salted HMACs: an AppRole alias is the role id, half of a credential,
 * and storage keys are never encrypted. Concurrent first logins of one alias share one creation.
 */
export function createEntityAliases(options: { storage: Storage; crypto: Crypto; random: Random }): EntityAliases {
  const { storage, crypto, random } = options;
  const creating = new Map<string, Promise<string>>();
  let salt: Promise<Uint8Array> | undefined;
  /** A random key made on first use: an unsalted digest of a guessable role id could be confirmed offline. */
  const saltKey = () =>
    (salt ??= (async () => {
      const stored = await storage.get('salt');
      if (stored) return new Uint8Array(stored);
      const made = random.bytes(32);
      await storage.put('salt', made);
      return made;
    })().catch((error: unknown) => {
      salt = undefined;
      throw error;
    }));
  return {
    async entityIdFor(mountAccessor, aliasName) {
      const key = `alias/${mountAccessor}/${toHex(crypto.hmacSha256(await saltKey(), utf8(aliasName)))}`;
      const pending = creating.get(key);
      if (pending) return pending;
      const lookup = (async () => {
        const stored = await storage.get(key);
        if (stored) return JSON.parse(Buffer.from(stored).toString('utf8')) as string;
        const entityId = randomUuid(random);
        await storage.put(key, utf8(JSON.stringify(entityId)));
        return entityId;
      })().finally(() => creating.delete(key));
      creating.set(key, lookup);
      return lookup;
    },
    forget() {
      void salt?.then((key) => key.fill(0)).catch(() => undefined);
      salt = undefined;
    },
  };
}
