// ACL policies stored behind the barrier (vault/policy_store.go): built-ins, name rules, and compiled ACLs cached per policy set.
import type { Storage } from '@coffer/storage';
import {
  compileAcl,
  DEFAULT_POLICY_NAME,
  DEFAULT_POLICY_TEXT,
  normalizePolicyName,
  parsePolicy,
  PolicyParseError,
  RESPONSE_WRAPPING_POLICY_NAME,
  RESPONSE_WRAPPING_POLICY_TEXT,
  ROOT_POLICY_NAME,
  type Acl,
  type Policy,
} from '@coffer/acl';
import { fromUtf8, utf8, VaultError } from '@coffer/sdk';

/** Policies the vault owns: they can be neither written nor deleted. */
const IMMUTABLE_POLICIES = [ROOT_POLICY_NAME, RESPONSE_WRAPPING_POLICY_NAME, 'control-group'];

interface StoredPolicy {
  name: string;
  policy: string;
}

export function createPolicyStore(options: { storage: Storage }) {
  const { storage } = options;
  const policies = new Map<string, Policy>();
  const acls = new Map<string, Acl>();
  const builtins = new Map<string, Policy>([
    [ROOT_POLICY_NAME, { name: ROOT_POLICY_NAME, text: '', rules: [] }],
    [RESPONSE_WRAPPING_POLICY_NAME, parsePolicy(RESPONSE_WRAPPING_POLICY_NAME, RESPONSE_WRAPPING_POLICY_TEXT)],
  ]);

  function parseOrReject(name: string, text: string): Policy {
    try {
      return parsePolicy(name, text);
    } catch (error) {
      if (error instanceof PolicyParseError) throw VaultError.invalid(`failed to parse policy: ${error.message}`);
      throw error;
    }
  }

  async function get(rawName: string): Promise<Policy | undefined> {
    const name = normalizePolicyName(rawName);
    const builtin = builtins.get(name);
    if (builtin) return builtin;
    const cached = policies.get(name);
    if (cached) return cached;
    const bytes = await storage.get(name);
    if (!bytes) return undefined;
    const stored = JSON.parse(fromUtf8(bytes)) as StoredPolicy;
    // Stored text was valid when written; parse it again so that the compiled form follows the code.
    const policy = parsePolicy(name, stored.policy);
    policies.set(name, policy);
    return policy;
  }

  async function compile(names: readonly string[]): Promise<Acl> {
    const found: Policy[] = [];
    for (const name of names) {
      const policy = await get(name);
      if (policy) found.push(policy);
    }
    return compileAcl(found);
  }

  return {
    get,

    /** Writes a policy (sys/policy, sys/policies/acl). Text is compiled now, not per request. */
    async set(rawName: string, text: string): Promise<void> {
      const name = normalizePolicyName(rawName);
      if (name === '') throw VaultError.invalid('policy name must be provided in the URL');
      if (IMMUTABLE_POLICIES.includes(name)) throw VaultError.invalid(`cannot update "${name}" policy`);
      const policy = parseOrReject(name, text);
      await storage.put(name, utf8(JSON.stringify({ name, policy: text } satisfies StoredPolicy)));
      policies.set(name, policy);
      acls.clear();
    },

    async delete(rawName: string): Promise<void> {
      const name = normalizePolicyName(rawName);
      if (name === DEFAULT_POLICY_NAME) throw VaultError.invalid('cannot delete default policy');
      if (IMMUTABLE_POLICIES.includes(name)) throw VaultError.invalid(`cannot delete "${name}" policy`);
      await storage.delete(name);
      policies.delete(name);
      acls.clear();
    },

    /** Every ACL policy name, `root` included, `response-wrapping` hidden, sorted. */
    async list(): Promise<string[]> {
      const names = new Set(await storage.list(''));
      names.add(ROOT_POLICY_NAME);
      return [...names].filter((n) => !n.endsWith('/')).sort();
    },

    async exists(rawName: string): Promise<boolean> {
      return (await get(rawName)) !== undefined;
    },

    /**
     * The compiled ACL of a token's policy set. Cached per set and dropped whenever a policy
     * changes, so an edit takes effect on every token's next request (vault-api.md P7, P8).
     */
    aclFor(names: readonly string[]): Acl | Promise<Acl> {
      const key = names.join('\n');
      const hit = acls.get(key);
      if (hit) return hit;
      return compile(names).then((acl) => {
        acls.set(key, acl);
        return acl;
      });
    },

    /** First unseal: Vault's default policy, never overwritten once it exists. */
    async setupDefaults(): Promise<void> {
      if (!(await storage.get(DEFAULT_POLICY_NAME))) {
        await storage.put(DEFAULT_POLICY_NAME, utf8(JSON.stringify({ name: DEFAULT_POLICY_NAME, policy: DEFAULT_POLICY_TEXT } satisfies StoredPolicy)));
      }
    },

    /** Forgets everything decrypted (seal). */
    clear(): void {
      policies.clear();
      acls.clear();
    },
  };
}

export type PolicyStore = ReturnType<typeof createPolicyStore>;
