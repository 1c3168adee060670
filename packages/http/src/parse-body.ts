// Request bodies as Vault reads them (http/logical.go): a JSON object, or a form when the client
// says so and the body does not look like JSON; an empty body is no data at all.
import { HttpMappingError } from './http-exchange.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function looksLikeJson(text: string): boolean {
  const first = /[^ \t\r\n]/.exec(text.slice(0, 512));
  return first === null ? false : first[0] === '{' || first[0] === '[';
}

/** Form fields; a repeated field is joined with commas, as Vault does. */
function parseForm(text: string): Record<string, unknown> | undefined {
  const params = new URLSearchParams(text);
  const data: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) data[key] = params.getAll(key).join(',');
  return Object.keys(data).length > 0 ? data : undefined;
}

export function parseBody(body: Uint8Array, contentType: string | undefined): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  const text = decoder.decode(body);
  if (mediaType(contentType) === 'application/x-www-form-urlencoded' && !looksLikeJson(text)) return parseForm(text);
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Vault's wording; the parser's own message would quote the body, secrets included.
    throw new HttpMappingError(400, ['error parsing JSON']);
  }
  if (parsed === null) return undefined;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpMappingError(400, ['error parsing JSON']);
  return parsed as Record<string, unknown>;
}
