// Path canonicalisation before any check (vault-api.md §2.1, reliability.md B2/B3): one string for ACL, routing and storage.
import { VaultError } from '@coffer/sdk';

// C0 and C1 controls, DEL, and lone surrogates never name anything Vault serves.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Returns the canonical request path: no leading slash, no `.`/`..` segments, no empty
 * segment except a single trailing `/`. Anything else is refused, never repaired, so that
 * the string the ACL sees is exactly the string that is routed.
 */
export function canonicalPath(path: string): string {
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  if (FORBIDDEN.test(trimmed)) throw VaultError.invalid('invalid characters in request path');
  if (trimmed.includes('\\')) throw VaultError.invalid('invalid characters in request path');
  // Nearly every path has no dot, no doubled slash and no second leading slash: nothing to inspect.
  if (!trimmed.includes('.') && !trimmed.includes('//') && !trimmed.startsWith('/')) return trimmed;
  const segments = trimmed.split('/');
  segments.forEach((segment, index) => {
    if (segment === '.' || segment === '..') throw VaultError.invalid('invalid request path: relative path components are not allowed');
    if (segment === '' && index !== segments.length - 1 && trimmed !== '') {
      throw VaultError.invalid('invalid request path: empty path segment');
    }
  });
  return trimmed;
}
