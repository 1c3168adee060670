// The barrier's keyring: one AES-256 key per term, the active term, and the rotation policy
// (Vault's keyring.go). Serialised as binary so key bytes never pass through JS strings.
import { fromUtf8, utf8 } from '@coffer/sdk';

export const KEY_BYTES = 32;

/** NIST SP 800-38D: at most 2^32 random-nonce encryptions per key; Vault stops at ~0.9 of it. */
export const ABSOLUTE_MAX_OPERATIONS = 3_865_470_566;
export const MIN_MAX_OPERATIONS = 1_000_000;
export const MIN_ROTATION_INTERVAL_MS = 24 * 3600 * 1000;

export interface RotationConfig {
  maxOperations: number;
  /** 0 turns time-based rotation off. */
  intervalMs: number;
  enabled: boolean;
}

export interface KeyTerm {
  term: number;
  key: Uint8Array;
  installTimeMs: number;
}

export interface Keyring {
  activeTerm: number;
  terms: Map<number, KeyTerm>;
  rotation: RotationConfig;
  /** Encryptions under the active term, persisted best effort (on rotation, config change and seal). */
  encryptions: number;
}

export const DEFAULT_ROTATION: RotationConfig = { maxOperations: ABSOLUTE_MAX_OPERATIONS, intervalMs: 0, enabled: true };

interface KeyringMeta {
  activeTerm: number;
  terms: { term: number; installTimeMs: number }[];
  rotation: RotationConfig;
  encryptions: number;
}

export function newKeyring(key: Uint8Array, nowMs: number): Keyring {
  return { activeTerm: 1, terms: new Map([[1, { term: 1, key, installTimeMs: nowMs }]]), rotation: { ...DEFAULT_ROTATION }, encryptions: 0 };
}

/** Layout: metadata length (uint32 BE) ‖ metadata JSON ‖ the 32-byte keys in the metadata's order. */
export function serializeKeyring(keyring: Keyring): Uint8Array {
  const terms = [...keyring.terms.values()].sort((a, b) => a.term - b.term);
  const meta: KeyringMeta = {
    activeTerm: keyring.activeTerm,
    terms: terms.map(({ term, installTimeMs }) => ({ term, installTimeMs })),
    rotation: keyring.rotation,
    encryptions: keyring.encryptions,
  };
  const metaBytes = utf8(JSON.stringify(meta));
  const out = new Uint8Array(4 + metaBytes.length + terms.length * KEY_BYTES);
  new DataView(out.buffer).setUint32(0, metaBytes.length);
  out.set(metaBytes, 4);
  terms.forEach((entry, i) => out.set(entry.key, 4 + metaBytes.length + i * KEY_BYTES));
  return out;
}

export function deserializeKeyring(bytes: Uint8Array): Keyring {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metaLength = view.getUint32(0);
  const meta = JSON.parse(fromUtf8(bytes.subarray(4, 4 + metaLength))) as KeyringMeta;
  const terms = new Map<number, KeyTerm>();
  meta.terms.forEach(({ term, installTimeMs }, i) => {
    const start = 4 + metaLength + i * KEY_BYTES;
    terms.set(term, { term, installTimeMs, key: bytes.slice(start, start + KEY_BYTES) });
  });
  if (!terms.has(meta.activeTerm)) throw new Error('keyring has no key for its active term');
  return { activeTerm: meta.activeTerm, terms, rotation: meta.rotation, encryptions: meta.encryptions };
}

export function zeroizeKeyring(keyring: Keyring): void {
  for (const entry of keyring.terms.values()) entry.key.fill(0);
  keyring.terms.clear();
}

/** Vault's sys/rotate/config rules; messages are Vault's. */
export function validateRotationConfig(config: RotationConfig, minOperations = MIN_MAX_OPERATIONS): string | undefined {
  if (!Number.isInteger(config.maxOperations) || config.maxOperations < minOperations || config.maxOperations > ABSOLUTE_MAX_OPERATIONS) {
    return `max_operations must be in the range [${minOperations},${ABSOLUTE_MAX_OPERATIONS}]`;
  }
  if (config.intervalMs !== 0 && config.intervalMs < MIN_ROTATION_INTERVAL_MS) return 'interval must be greater than or equal to 24h0m0s';
  return undefined;
}
