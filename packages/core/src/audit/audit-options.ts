// The options every audit device shares (audit/backend.go newFormatterConfig): log_raw, hmac_accessor, elide_list_responses, format, prefix.
import { parseGoBool, VaultError } from '@coffer/sdk';

/** How one device renders entries. */
export interface AuditFormatSettings {
  /** `log_raw`: no hashing at all. Default false. */
  logRaw: boolean;
  /** `hmac_accessor`: hash token accessors too. Default true. */
  hmacAccessor: boolean;
  /** `elide_list_responses`: list `keys`/`key_info` become counts. Default false. */
  elideListResponses: boolean;
  /** `prefix`: text written before every JSON line. */
  prefix: string;
}

/** Go's strconv.ParseBool, which is what Vault applies to these string options. */
function parseBoolOption(options: Readonly<Record<string, string>>, name: string, fallback: boolean): boolean {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const parsed = parseGoBool(raw);
  if (parsed !== undefined) return parsed;
  throw VaultError.invalid(`unable to parse "${name}"`);
}

/** Options only Vault Enterprise accepts; CE refuses them rather than silently ignoring a filter. */
const ENTERPRISE_OPTIONS = ['fallback', 'filter'];

/** Validates the shared options; throws 400 with Vault's wording on a bad value. */
export function parseFormatSettings(options: Readonly<Record<string, string>>): AuditFormatSettings {
  if (ENTERPRISE_OPTIONS.some((name) => Object.hasOwn(options, name))) {
    throw VaultError.invalid('enterprise-only options supplied');
  }
  const format = options.format;
  if (format !== undefined && format !== 'json') {
    // jsonx (Vault's XML rendering) is not implemented; refusing beats logging something else.
    throw VaultError.invalid(format === 'jsonx' ? 'unsupported "format": jsonx is not supported, use "json"' : 'unsupported "format"');
  }
  return {
    logRaw: parseBoolOption(options, 'log_raw', false),
    hmacAccessor: parseBoolOption(options, 'hmac_accessor', true),
    elideListResponses: parseBoolOption(options, 'elide_list_responses', false),
    prefix: options.prefix ?? '',
  };
}
