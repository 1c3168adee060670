// Parsing of the `config` map of sys/mounts and sys/auth, and of tune bodies (vault/logical_system.go).
import { coerceField, field, FieldError, VaultError } from '@coffer/sdk';
import type { MountConfig, UserLockoutConfig } from '../mounts/mount-entry.js';
import { DEFAULT_USER_LOCKOUT } from '../request/user-lockout.js';

const TOKEN_TYPES = ['default-service', 'default-batch', 'service', 'batch'] as const;

const listField = field.commaList('');
const boolField = field.bool('');
const stringField = field.string('');

function parse<T>(name: string, spec: Parameters<typeof coerceField>[1], value: unknown): T {
  try {
    return coerceField(name, spec, value) as T;
  } catch (error) {
    if (error instanceof FieldError) throw VaultError.invalid(error.message);
    throw error;
  }
}

/** A lease TTL input: seconds, a duration string, or `"system"` (back to the system value, stored as 0). */
export function parseTtlInput(name: string, value: unknown): number {
  if (value === 'system' || value === '') return 0;
  return parse<number>(name, field.duration(''), value);
}

/** Applies the known keys of a Vault mount `config` map onto `config`; returns the keys it did not know. */
export function applyMountConfig(config: MountConfig, input: Record<string, unknown>, table: 'secret' | 'auth'): string[] {
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'default_lease_ttl':
        config.defaultLeaseTtlSec = parseTtlInput(key, value);
        break;
      case 'max_lease_ttl':
        config.maxLeaseTtlSec = parseTtlInput(key, value);
        break;
      case 'force_no_cache':
        config.forceNoCache = parse<boolean>(key, boolField, value);
        break;
      case 'audit_non_hmac_request_keys':
        config.auditNonHmacRequestKeys = parse<string[]>(key, listField, value);
        break;
      case 'audit_non_hmac_response_keys':
        config.auditNonHmacResponseKeys = parse<string[]>(key, listField, value);
        break;
      case 'listing_visibility': {
        const visibility = parse<string>(key, stringField, value);
        if (!['', 'hidden', 'unauth'].includes(visibility)) throw VaultError.invalid(`invalid listing_visibility ${visibility}`);
        config.listingVisibility = visibility;
        break;
      }
      case 'passthrough_request_headers':
        config.passthroughRequestHeaders = parse<string[]>(key, listField, value);
        break;
      case 'allowed_response_headers':
        config.allowedResponseHeaders = parse<string[]>(key, listField, value);
        break;
      case 'token_type': {
        if (table !== 'auth') {
          unknown.push(key);
          break;
        }
        const tokenType = parse<string>(key, stringField, value);
        if (!(TOKEN_TYPES as readonly string[]).includes(tokenType)) throw VaultError.invalid(`invalid value for "token_type"`);
        config.tokenType = tokenType;
        break;
      }
      case 'user_lockout_config': {
        if (table !== 'auth') {
          unknown.push(key);
          break;
        }
        config.userLockout = parseUserLockout(value, config.userLockout ?? { ...DEFAULT_USER_LOCKOUT });
        break;
      }
      default:
        unknown.push(key);
    }
  }
  return unknown;
}

/** `user_lockout_config { lockout_threshold, lockout_duration, lockout_counter_reset, lockout_disable }` over the current settings. */
function parseUserLockout(value: unknown, current: UserLockoutConfig): UserLockoutConfig {
  const input = parse<Record<string, unknown>>('user_lockout_config', field.map(''), value);
  const next = { ...current };
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined || raw === null || raw === '') continue;
    switch (key) {
      case 'lockout_threshold': {
        const threshold = parse<number>(key, field.int(''), raw);
        if (threshold < 1) throw VaultError.invalid('lockout_threshold must be at least 1');
        next.threshold = threshold;
        break;
      }
      case 'lockout_duration':
        next.durationSec = parse<number>(key, field.duration(''), raw);
        break;
      case 'lockout_counter_reset':
      case 'lockout_counter_reset_duration':
        next.counterResetSec = parse<number>(key, field.duration(''), raw);
        break;
      case 'lockout_disable':
        next.disabled = parse<boolean>(key, boolField, raw);
        break;
      default:
        throw VaultError.invalid(`unknown user_lockout_config key ${JSON.stringify(key)}`);
    }
  }
  return next;
}

/** Vault's TTL consistency rule for a mount's own default and max (0 means "system"). */
export function checkMountTtls(config: MountConfig): void {
  const { defaultLeaseTtlSec: def, maxLeaseTtlSec: max } = config;
  if (def !== 0 && max !== 0 && max < def) {
    throw VaultError.invalid(`backend max lease TTL of ${max} would be less than backend default lease TTL of ${def}`);
  }
}

/** `options` is a map of strings; Vault coerces scalars to strings. */
export function parseOptions(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw VaultError.invalid('error converting input for field "options": expected a map');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = parse<string>('options', stringField, v);
  return out;
}
