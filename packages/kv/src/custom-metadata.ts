// custom_metadata on KV v2 keys: at most 64 keys, keys 1–128 bytes, values 1–512 bytes, printable (path_metadata.go).
import { coerceField, field, FieldError, VaultError } from '@coffer/sdk';

const MAX_KEYS = 64;
const MAX_KEY_BYTES = 128;
const MAX_VALUE_BYTES = 512;
const PREFIX = 'custom_metadata validation failed';
/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;
const stringField = field.string('custom_metadata value');

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Go's multierror rendering, which Vault returns verbatim. */
function multiError(errors: string[]): string {
  const head = errors.length === 1 ? '1 error occurred:' : `${errors.length} errors occurred:`;
  return `${head}\n${errors.map((e) => `\t* ${e}`).join('\n')}\n\n`;
}

/**
 * Weakly decodes every value to a string and validates the map. With `dropNulls` (PATCH) null
 * values are left out of validation: they are removals.
 */
export function parseCustomMetadata(raw: Record<string, unknown>, dropNulls: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === null && dropNulls) {
      out[name] = null;
      continue;
    }
    try {
      out[name] = value === null ? '' : (coerceField('custom_metadata', stringField, value) as string);
    } catch (error) {
      if (error instanceof FieldError) throw VaultError.invalid(`${PREFIX}: ${error.message}`);
      throw error;
    }
  }
  const present = Object.entries(out).filter((entry): entry is [string, string] => entry[1] !== null);
  if (present.length > MAX_KEYS) {
    throw VaultError.invalid(multiError([`${PREFIX}: payload must contain at most ${MAX_KEYS} keys, provided ${present.length}`]));
  }
  const errors: string[] = [];
  for (const [name, value] of present) {
    const keyBytes = byteLength(name);
    if (keyBytes === 0 || keyBytes > MAX_KEY_BYTES) {
      errors.push(`${PREFIX}: length of key ${JSON.stringify(name)} is ${keyBytes} but must be 0 < len(key) <= ${MAX_KEY_BYTES}`);
    }
    const valueBytes = byteLength(value);
    if (valueBytes === 0 || valueBytes > MAX_VALUE_BYTES) {
      errors.push(`${PREFIX}: length of value for key ${JSON.stringify(name)} is ${valueBytes} but must be 0 < len(value) <= ${MAX_VALUE_BYTES}`);
    }
    if (!PRINTABLE.test(name)) errors.push(`${PREFIX}: key ${JSON.stringify(name)} (${name}) contains unprintable characters`);
    if (!PRINTABLE.test(value)) errors.push(`${PREFIX}: value for key ${JSON.stringify(name)} contains unprintable characters`);
  }
  if (errors.length > 0) throw VaultError.invalid(multiError(errors));
  return out;
}
