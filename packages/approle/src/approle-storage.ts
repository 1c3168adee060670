// Where AppRole keeps its roles and secret ids inside the mount (path_role.go, validation.go), with
// every credential-bearing name hashed: role ids, secret ids and accessors never appear in storage keys.
import { defaultTokenParams, fromUtf8, toHex, utf8, VaultError, type Atomically, type Crypto, type Random, type TokenParams } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';

export interface RoleEntry {
  name: string;
  roleId: string;
  /** Hashes this role's secret ids and its own name in their storage keys. */
  hmacKey: string;
  bindSecretId: boolean;
  secretIdBoundCidrs: string[];
  secretIdNumUses: number;
  secretIdTtlSec: number;
  localSecretIds: boolean;
  token: TokenParams;
}

export interface SecretIdEntry {
  accessor: string;
  /** Uses left; 0 = unlimited. */
  numUses: number;
  ttlSec: number;
  creationTimeMs: number;
  /** 0 = never. */
  expirationTimeMs: number;
  lastUpdatedTimeMs: number;
  metadata: Record<string, string>;
  cidrList: string[];
  tokenBoundCidrs: string[];
}

interface AccessorEntry {
  roleName: string;
  secretIdHmac: string;
}

const json = (value: unknown) => utf8(JSON.stringify(value));
const parse = <T>(bytes: Uint8Array | undefined): T | undefined => (bytes ? (JSON.parse(fromUtf8(bytes)) as T) : undefined);

/** One mount's AppRole storage. `salt` (made on first use) hashes role ids and accessors; each role's key hashes its secret ids. */
export class AppRoleStore {
  #salt: Uint8Array | undefined;

  constructor(
    private readonly crypto: Crypto,
    private readonly random: Random,
    private readonly atomically: Atomically,
  ) {}

  /**
   * Runs `fn` as the one unit that may touch the secret id `secretIdHmac`: a login taking a use,
   * a destroy, an issue and tidy never interleave, so a destroyed secret id cannot be written
   * back by a login that read it just before.
   */
  secretIdUnit<T>(storage: Storage, secretIdHmac: string, fn: (unit: Storage) => Promise<T>): Promise<T> {
    return this.atomically(storage, `secret-id/${secretIdHmac}`, fn);
  }

  /** Runs `fn` as the one unit of role writes on this mount (roles change rarely; their role-id index must stay exact). */
  rolesUnit<T>(storage: Storage, fn: (unit: Storage) => Promise<T>): Promise<T> {
    return this.atomically(storage, 'roles', fn);
  }

  /** Issues a secret id: refused when it exists; the accessor is written first, so a crash leaves only a dangling accessor (tidy's). */
  issueSecretId(storage: Storage, role: RoleEntry, secretIdHmac: string, entry: SecretIdEntry): Promise<boolean> {
    return this.secretIdUnit(storage, secretIdHmac, async (unit) => {
      if (await this.readSecretId(unit, role, secretIdHmac)) return false;
      await this.writeAccessor(unit, role, entry.accessor, secretIdHmac);
      await this.writeSecretId(unit, role, secretIdHmac, entry);
      return true;
    });
  }

  /** Destroys a secret id and its accessor in one unit. */
  destroySecretId(storage: Storage, role: RoleEntry, secretIdHmac: string): Promise<void> {
    return this.secretIdUnit(storage, secretIdHmac, (unit) => this.deleteSecretId(unit, role, secretIdHmac));
  }

  async #mountKey(storage: Storage): Promise<Uint8Array> {
    if (this.#salt) return this.#salt;
    let salt = await storage.get('salt');
    if (!salt) {
      salt = this.random.bytes(32);
      await storage.put('salt', salt);
    }
    this.#salt = new Uint8Array(salt);
    return this.#salt;
  }

  #hmac(key: Uint8Array | string, value: string): string {
    const keyBytes = typeof key === 'string' ? utf8(key) : key;
    return toHex(this.crypto.hmacSha256(keyBytes, utf8(value)));
  }

  /** A fresh per-role HMAC key. */
  newHmacKey(): string {
    return toHex(this.random.bytes(32));
  }

  readRole(storage: Storage, name: string): Promise<RoleEntry | undefined> {
    return storage.get(`role/${name}`).then((bytes) => {
      const role = parse<RoleEntry>(bytes);
      return role && { ...role, token: { ...defaultTokenParams(), ...role.token } };
    });
  }

  /** The role `name` names, or Vault's 400 when there is none. */
  async existingRole(storage: Storage, name: string): Promise<RoleEntry> {
    const role = await this.readRole(storage, name);
    if (!role) throw VaultError.invalid(`role ${JSON.stringify(name)} does not exist`);
    return role;
  }

  writeRole(storage: Storage, role: RoleEntry): Promise<void> {
    return storage.put(`role/${role.name}`, json(role));
  }

  async deleteRole(storage: Storage, role: RoleEntry): Promise<void> {
    for (const secretIdHmac of await this.listSecretIdHmacs(storage, role)) await this.destroySecretId(storage, role, secretIdHmac);
    await storage.delete(await this.#roleIdKey(storage, role.roleId));
    await storage.delete(`role/${role.name}`);
  }

  async listRoles(storage: Storage): Promise<string[]> {
    return (await storage.list('role/')).filter((name) => !name.endsWith('/'));
  }

  async #roleIdKey(storage: Storage, roleId: string): Promise<string> {
    return `role_id/${this.#hmac(await this.#mountKey(storage), roleId)}`;
  }

  /** The role a role id belongs to. */
  async roleNameById(storage: Storage, roleId: string): Promise<string | undefined> {
    return parse<{ name: string }>(await storage.get(await this.#roleIdKey(storage, roleId)))?.name;
  }

  async setRoleId(storage: Storage, roleName: string, roleId: string): Promise<void> {
    await storage.put(await this.#roleIdKey(storage, roleId), json({ name: roleName }));
  }

  async dropRoleId(storage: Storage, roleId: string): Promise<void> {
    await storage.delete(await this.#roleIdKey(storage, roleId));
  }

  #secretIdFolder(role: RoleEntry): string {
    return `secret_id/${this.#hmac(role.hmacKey, role.name)}/`;
  }

  secretIdHmac(role: RoleEntry, secretId: string): string {
    return this.#hmac(role.hmacKey, secretId);
  }

  async readSecretId(storage: Storage, role: RoleEntry, secretIdHmac: string): Promise<SecretIdEntry | undefined> {
    return parse<SecretIdEntry>(await storage.get(this.#secretIdFolder(role) + secretIdHmac));
  }

  async writeSecretId(storage: Storage, role: RoleEntry, secretIdHmac: string, entry: SecretIdEntry): Promise<void> {
    await storage.put(this.#secretIdFolder(role) + secretIdHmac, json(entry));
  }

  async writeAccessor(storage: Storage, role: RoleEntry, accessor: string, secretIdHmac: string): Promise<void> {
    await storage.put(await this.#accessorKey(storage, accessor), json({ roleName: role.name, secretIdHmac } satisfies AccessorEntry));
  }

  /**
   * Deletes a secret id, then its accessor (a crash in between leaves a dangling accessor, never
   * a live secret id without one); absent ones are fine. Call inside `secretIdUnit`.
   */
  async deleteSecretId(storage: Storage, role: RoleEntry, secretIdHmac: string): Promise<void> {
    const entry = await this.readSecretId(storage, role, secretIdHmac);
    await storage.delete(this.#secretIdFolder(role) + secretIdHmac);
    if (entry) await storage.delete(await this.#accessorKey(storage, entry.accessor));
  }

  async listSecretIdHmacs(storage: Storage, role: RoleEntry): Promise<string[]> {
    return (await storage.list(this.#secretIdFolder(role))).filter((name) => !name.endsWith('/'));
  }

  async #accessorKey(storage: Storage, accessor: string): Promise<string> {
    return `accessor/${this.#hmac(await this.#mountKey(storage), accessor)}`;
  }

  /**
   * The secret id behind `accessor`, only if it belongs to `role`: an accessor of another role is
   * as unknown as a made-up one (CVE-2023-24999).
   */
  async secretIdHmacByAccessor(storage: Storage, role: RoleEntry, accessor: string): Promise<string | undefined> {
    const found = parse<AccessorEntry>(await storage.get(await this.#accessorKey(storage, accessor)));
    return found && found.roleName === role.name ? found.secretIdHmac : undefined;
  }

  /** Every accessor entry's key and content, for tidy. */
  async listAccessors(storage: Storage): Promise<{ key: string; entry: AccessorEntry }[]> {
    const out: { key: string; entry: AccessorEntry }[] = [];
    for (const name of await storage.list('accessor/')) {
      const entry = parse<AccessorEntry>(await storage.get(`accessor/${name}`));
      if (entry) out.push({ key: `accessor/${name}`, entry });
    }
    return out;
  }
}
