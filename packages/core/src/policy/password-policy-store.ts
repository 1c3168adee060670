// Named password policies (Vault's sys/policies/password): HCL with a length and charset rules, used by engines to make passwords.
import { parseHcl, HclParseError, type ObjectNode, type ValueNode } from '@coffer/hcl';
import { checkPasswordPolicy, fromUtf8, generatePassword, utf8, VaultError, type CharsetRule, type PasswordPolicies, type PasswordPolicy, type Random } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';

export class PasswordPolicyError extends Error {
  override readonly name = 'PasswordPolicyError';
}

function integerOf(node: ValueNode, what: string): number {
  if (node.type !== 'number' || !Number.isInteger(node.value)) throw new PasswordPolicyError(`${what} must be an integer`);
  return node.value;
}

function stringOf(node: ValueNode, what: string): string {
  if (node.type !== 'string') throw new PasswordPolicyError(`${what} must be a string`);
  return node.value;
}

function charsetRule(body: ValueNode): CharsetRule {
  if (body.type !== 'object') throw new PasswordPolicyError('a charset rule must be a block');
  let charset = '';
  let minChars = 0;
  for (const item of body.items) {
    const key = item.keys[0]!.name;
    if (key === 'charset') charset = stringOf(item.value, 'charset');
    else if (key === 'min-chars') minChars = integerOf(item.value, 'min-chars');
    else throw new PasswordPolicyError(`unrecognized field "${key}" in a charset rule`);
  }
  if (!charset) throw new PasswordPolicyError('a charset rule needs a non-empty charset');
  if (minChars < 0) throw new PasswordPolicyError('min-chars cannot be negative');
  return { charset, minChars };
}

/** `length = 20` and `rule "charset" { charset = "..." min-chars = 1 }` blocks, as Vault's random.ParsePolicy reads them. */
export function parsePasswordPolicy(text: string): PasswordPolicy {
  let root: ObjectNode;
  try {
    root = parseHcl(text);
  } catch (error) {
    if (error instanceof HclParseError) throw new PasswordPolicyError(error.message);
    throw error;
  }
  let length: number | undefined;
  const rules: CharsetRule[] = [];
  for (const item of root.items) {
    const [first, second] = item.keys;
    if (first!.name === 'length' && item.keys.length === 1) length = integerOf(item.value, 'length');
    else if (first!.name === 'rule' && second?.name === 'charset') rules.push(charsetRule(item.value));
    else if (first!.name === 'rule') throw new PasswordPolicyError(`unrecognized rule type "${second?.name ?? ''}"`);
    else throw new PasswordPolicyError(`unrecognized field "${first!.name}"`);
  }
  if (length === undefined) throw new PasswordPolicyError('length must be specified');
  const policy = { length, rules };
  // A policy that cannot produce a password is refused when written, not at first use.
  try {
    checkPasswordPolicy(policy);
  } catch (error) {
    throw new PasswordPolicyError((error as Error).message);
  }
  return policy;
}

export interface PasswordPolicyStore extends PasswordPolicies {
  read(name: string): Promise<string | undefined>;
  write(name: string, text: string): Promise<void>;
  delete(name: string): Promise<void>;
  list(): Promise<string[]>;
}

/** Policies live in the sys view under `password_policy/<name>`, as Vault keeps them. */
export function createPasswordPolicyStore(storage: Storage, random: Random): PasswordPolicyStore {
  const key = (name: string) => `password_policy/${name}`;
  const read = async (name: string): Promise<string | undefined> => {
    const bytes = await storage.get(key(name));
    return bytes ? (JSON.parse(fromUtf8(bytes)) as { policy: string }).policy : undefined;
  };
  return {
    read,
    async write(name, text) {
      parsePasswordPolicy(text);
      await storage.put(key(name), utf8(JSON.stringify({ policy: text })));
    },
    delete: (name) => storage.delete(key(name)),
    list: () => storage.list('password_policy/'),
    async generate(name) {
      const text = await read(name);
      if (text === undefined) throw VaultError.invalid(`password policy "${name}" not found`);
      return generatePassword(random, parsePasswordPolicy(text));
    },
  };
}
