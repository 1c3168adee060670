// HTTP -> Vault request (vault-api.md §2.1 steps 1–2, §2.13; http/logical.go buildLogicalRequest):
// the verb picks the operation, the query or the body becomes the data, headers carry the token.
import { parseGoBool, type Operation, type Request } from '@coffer/sdk';
import { HttpMappingError, type HttpInput } from './http-exchange.js';
import { mediaType, parseBody } from './parse-body.js';
import { queryData } from './parse-query.js';

const MERGE_PATCH = 'application/merge-patch+json';

export interface MappedRequest {
  request: Request;
  /** HEAD: answer with the status and headers only. */
  head: boolean;
}

function header(input: HttpInput, name: string): string | undefined {
  const value = input.headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** `X-Vault-Token`, else the first `Authorization: Bearer` value (RFC 6750), as Vault reads them. */
function tokenOf(input: HttpInput): string | undefined {
  const direct = header(input, 'x-vault-token');
  if (direct) return direct;
  const authorization = input.headers.authorization;
  for (const value of typeof authorization === 'string' ? [authorization] : (authorization ?? [])) {
    if (value.startsWith('Bearer ')) return value.slice(7).trim();
  }
  return undefined;
}

function pathOf(rawPath: string): string {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new HttpMappingError(400, ['invalid URL escape in request path']);
  }
  if (!path.startsWith('/v1/')) throw new HttpMappingError(404, []);
  return path.slice('/v1/'.length);
}

const asFolder = (path: string): string => (path.endsWith('/') ? path : `${path}/`);

/** Maps one HTTP request, or throws HttpMappingError with Vault's status for a request it refuses. */
export function toVaultRequest(input: HttpInput): MappedRequest {
  const queryAt = input.url.indexOf('?');
  let path = pathOf(queryAt < 0 ? input.url : input.url.slice(0, queryAt));
  const query = new URLSearchParams(queryAt < 0 ? '' : input.url.slice(queryAt + 1));
  let operation: Operation;
  let data: Record<string, unknown> | undefined;
  let head = false;
  switch (input.method) {
    case 'GET': {
      // The last value: a LIST request reaches here as GET with `list=true` appended (list-method-rewrite.ts).
      const list = query.getAll('list').pop() ?? null;
      const asList = list === null || list === '' ? false : parseGoBool(list);
      if (asList === undefined) throw new HttpMappingError(400, []);
      operation = asList ? 'list' : 'read';
      if (asList) {
        query.delete('list');
        path = asFolder(path);
      }
      data = queryData(query);
      break;
    }
    case 'LIST':
      operation = 'list';
      path = asFolder(path);
      data = queryData(query);
      break;
    case 'DELETE':
      operation = 'delete';
      data = queryData(query);
      break;
    case 'HEAD':
      // Vault's header operation: only sys/health answers it; elsewhere it must not run a read
      // (which would spend a token use or make a wrapping token nobody receives).
      if (path !== 'sys/health') throw new HttpMappingError(405, []);
      operation = 'read';
      head = true;
      data = queryData(query);
      break;
    case 'POST':
    case 'PUT':
      operation = 'update';
      data = parseBody(input.body, header(input, 'content-type'));
      break;
    case 'PATCH': {
      const type = mediaType(header(input, 'content-type'));
      // Go's mime.ParseMediaType refuses an empty header before the type is even compared.
      if (type === '') throw new HttpMappingError(400, ['mime: no media type']);
      if (type !== MERGE_PATCH) throw new HttpMappingError(415, [`PATCH requires Content-Type of ${MERGE_PATCH}, provided ${type}`]);
      operation = 'patch';
      data = parseBody(input.body, undefined);
      break;
    }
    default:
      throw new HttpMappingError(405, []);
  }
  const help = query.get('help');
  if (help !== null && help !== '') operation = 'help';

  const token = tokenOf(input);
  const wrapTtl = header(input, 'x-vault-wrap-ttl');
  // Header values are never undefined in what node:http or fetch hand over; the type allows it for callers' convenience.
  const headers = input.headers as Readonly<Record<string, string | readonly string[]>>;
  const request: Request = {
    operation,
    path,
    headers,
    ...(data !== undefined ? { data } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(wrapTtl !== undefined && wrapTtl !== '' ? { wrapTtl } : {}),
    ...(input.remoteAddr !== undefined ? { remoteAddr: input.remoteAddr } : {}),
    ...(input.remotePort !== undefined ? { remotePort: input.remotePort } : {}),
  };
  return { request, head };
}
