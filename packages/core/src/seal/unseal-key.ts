// Decoding one submitted key share as Vault's sys/unseal handler does: hex first, then base64.
import { VaultError } from '@coffer/sdk';

/** A Shamir share is a 16..32-byte key plus its 1-byte x-coordinate (Vault's BarrierKeyLength). */
export const MIN_KEY_BYTES = 16;
export const MAX_KEY_BYTES = 33;

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseKeyShare(text: string): Uint8Array {
  const trimmed = text.trim();
  let bytes: Uint8Array;
  if (HEX.test(trimmed)) bytes = new Uint8Array(Buffer.from(trimmed, 'hex'));
  else if (trimmed !== '' && BASE64.test(trimmed)) bytes = new Uint8Array(Buffer.from(trimmed, 'base64'));
  else throw VaultError.invalid("'key' must be a valid hex or base64 string");
  if (bytes.length < MIN_KEY_BYTES) throw VaultError.invalid(`key is shorter than minimum ${MIN_KEY_BYTES} bytes`);
  if (bytes.length > MAX_KEY_BYTES) throw VaultError.invalid(`key is longer than maximum ${MAX_KEY_BYTES} bytes`);
  return bytes;
}
