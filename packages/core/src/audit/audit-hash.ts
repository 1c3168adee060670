// Vault's audit HMAC (audit/hashstructure.go, sdk/helper/salt): secrets reach the log only as `hmac-sha256:<hex>`.
import { formatRfc3339Nano, toHex, utf8, type Crypto } from '@coffer/sdk';

export const AUDIT_HMAC_PREFIX = 'hmac-sha256:';

/** `hmac-sha256:` + hex(HMAC-SHA256(key = utf8(salt), msg = utf8(value))), as `sys/audit-hash` answers. */
export function hmacAuditValue(crypto: Crypto, salt: string, value: string): string {
  return AUDIT_HMAC_PREFIX + toHex(crypto.hmacSha256(utf8(salt), utf8(value)));
}

/** Replaces one string leaf; `undefined` means "copy without hashing" (log_raw). */
export type AuditHashFn = (value: string) => string;

const rawDecoder = new TextDecoder('utf-8');

/**
 * A deep copy of `value` in which every string leaf, in maps and arrays at any depth, is
 * replaced by `hash(leaf)`. Map keys, numbers, booleans and null are copied as they are.
 *
 * Vault's walker checks exemptions against the nearest enclosing map key, so with
 * `nonHmacKeys = ['a']` both `{a: "x"}` and `{a: ["x"]}` stay plain while `{a: {b: "x"}}`
 * is hashed; this keeps that rule. The input is never modified: a formatter that hashed
 * the live object would leak raw values to the other devices, or hashed ones to the
 * client (CVE-2024-0831). Object keys come out sorted, as Go's encoder writes its maps.
 */
export function hashStructure(value: unknown, hash: AuditHashFn | undefined, nonHmacKeys: readonly string[] = []): unknown {
  const exempt = new Set(nonHmacKeys);
  const ancestors = new Set<object>();

  const walk = (node: unknown, key: string | undefined): unknown => {
    if (typeof node === 'string') return hash && !(key !== undefined && exempt.has(key)) ? hash(node) : node;
    if (typeof node === 'number' || typeof node === 'boolean' || node === null) return node;
    // JSON cannot carry a bigint; like the numbers it stands for, it is logged in plain text.
    if (typeof node === 'bigint') return node.toString();
    if (typeof node !== 'object') return undefined; // undefined, functions, symbols: JSON drops them too.
    // Vault logs time values as RFC 3339 text and does not hash them.
    if (node instanceof Date) return formatRfc3339Nano(node.getTime());
    // Raw bytes (an HTTP raw body) are audited as the text they carry, never as a byte array
    // that would slip past the string rule (OpenBao CVE-2025-62705).
    if (node instanceof Uint8Array) return walk(rawDecoder.decode(node), key);
    if (ancestors.has(node)) throw new TypeError('audit data contains a cycle');
    ancestors.add(node);
    try {
      if (Array.isArray(node)) return node.map((item) => walk(item, key) ?? null);
      const jsonable = node as { toJSON?: () => unknown };
      if (typeof jsonable.toJSON === 'function') return walk(jsonable.toJSON(), key);
      const entries: [string, unknown][] = [];
      for (const name of Object.keys(node).sort()) {
        const child = walk((node as Record<string, unknown>)[name], name);
        if (child !== undefined) entries.push([name, child]);
      }
      // fromEntries defines own properties, so a `__proto__` key stays data.
      return Object.fromEntries(entries);
    } finally {
      ancestors.delete(node);
    }
  };

  return walk(value, undefined);
}

