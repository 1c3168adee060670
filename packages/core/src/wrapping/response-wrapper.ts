// Response wrapping (vault/wrapping.go, vault-api.md §1.5, §2.9): a response stored in the cubbyhole of a single-use token.
import type { Storage } from '@coffer/storage';
import { formatRfc3339Nano, fromUtf8, utf8, VaultError, type Clock, type Response, type WrapInfo } from '@coffer/sdk';
import { RESPONSE_WRAPPING_POLICY_NAME } from '@coffer/acl';
import type { TokenEntry, TokenStore } from '@coffer/token-store';
import { emptyEnvelope } from '../request/response-envelope.js';

const RESPONSE_KEY = 'response';
const WRAPINFO_KEY = 'wrapinfo';

export interface WrapCreation {
  creation_path: string;
  creation_time: string;
  creation_ttl: number;
}

export interface ResponseWrapperDeps {
  tokens: TokenStore;
  /** The cubbyhole mount's storage view. */
  cubbyhole(): Storage;
  clock: Clock;
}

export function wrappingTokenInvalid(): VaultError {
  return VaultError.invalid('wrapping token is not valid or does not exist');
}

function isWrappingEntry(entry: TokenEntry): boolean {
  return entry.policies.length === 1 && entry.policies[0] === RESPONSE_WRAPPING_POLICY_NAME;
}

export function createResponseWrapper(deps: ResponseWrapperDeps) {
  async function store(entry: TokenEntry, response: Response, creation: WrapCreation): Promise<void> {
    const cubbyhole = deps.cubbyhole();
    await cubbyhole.put(`${entry.idHash}/${RESPONSE_KEY}`, utf8(JSON.stringify(response)));
    await cubbyhole.put(`${entry.idHash}/${WRAPINFO_KEY}`, utf8(JSON.stringify(creation)));
  }

  async function read<T>(idHash: string, key: string): Promise<T> {
    const bytes = await deps.cubbyhole().get(`${idHash}/${key}`);
    if (!bytes) throw wrappingTokenInvalid();
    return JSON.parse(fromUtf8(bytes)) as T;
  }

  /** The wrapping token: single use, `response-wrapping` only, no parent, dies at its TTL. */
  async function issue(response: Response, ttlSec: number, creationPath: string): Promise<Response> {
    const { id, entry } = await deps.tokens.create({
      policies: [RESPONSE_WRAPPING_POLICY_NAME],
      path: creationPath,
      displayName: '',
      meta: null,
      numUses: 1,
      creationTtlSec: ttlSec,
      ttlSec,
      explicitMaxTtlSec: ttlSec,
      periodSec: 0,
      renewable: false,
      type: 'service',
      entityId: '',
    });
    const creationTime = formatRfc3339Nano(entry.creationTimeMs);
    await store(entry, response, { creation_path: creationPath, creation_time: creationTime, creation_ttl: ttlSec });
    const wrapInfo: WrapInfo = {
      token: id,
      accessor: entry.accessor,
      ttl: ttlSec,
      creation_time: creationTime,
      creation_path: creationPath,
    };
    const wrappedAccessor = wrappedAccessorOf(response);
    if (wrappedAccessor !== undefined) wrapInfo.wrapped_accessor = wrappedAccessor;
    return { ...emptyEnvelope(response.requestId, response.mountType), wrapInfo };
  }

  /** A wrapping token named in a request body: live, a wrapping token, and its one use taken now. */
  async function claim(token: string): Promise<TokenEntry> {
    const resolved = await deps.tokens.resolve(token);
    if (!resolved || !isWrappingEntry(resolved.entry)) throw wrappingTokenInvalid();
    // Serialised per token: of two unwraps racing, exactly one gets the use.
    if (!(await deps.tokens.consumeUse(resolved.entry.idHash)).allowed) throw wrappingTokenInvalid();
    return resolved.entry;
  }

  return {
    wrap: issue,

    /**
     * The stored response, exactly as it was. `bodyToken` is the wrapping token sent in the
     * body; without it the caller's own token is the wrapping token, whose single use the
     * request itself has taken (and which the pipeline revokes afterwards).
     */
    async unwrap(bodyToken: string | undefined, caller: { token?: string; policies?: readonly string[] }): Promise<Response> {
      if (bodyToken) {
        const entry = await claim(bodyToken);
        try {
          return await read<Response>(entry.idHash, RESPONSE_KEY);
        } finally {
          await deps.tokens.revokeTree(entry.idHash);
        }
      }
      if (!caller.token || caller.policies?.length !== 1 || caller.policies[0] !== RESPONSE_WRAPPING_POLICY_NAME) throw wrappingTokenInvalid();
      return read<Response>(await deps.tokens.hash(caller.token), RESPONSE_KEY);
    },

    /** What the token wraps, without using it (sys/wrapping/lookup is unauthenticated). */
    async lookup(token: string): Promise<WrapCreation> {
      const resolved = await deps.tokens.resolve(token);
      if (!resolved || !isWrappingEntry(resolved.entry)) throw wrappingTokenInvalid();
      return read<WrapCreation>(resolved.entry.idHash, WRAPINFO_KEY);
    },

    /** A new wrapping token for the same response and creation path; the old one is spent. */
    async rewrap(token: string): Promise<Response> {
      const entry = await claim(token);
      try {
        const response = await read<Response>(entry.idHash, RESPONSE_KEY);
        const creation = await read<WrapCreation>(entry.idHash, WRAPINFO_KEY);
        return await issue(response, creation.creation_ttl, creation.creation_path);
      } finally {
        await deps.tokens.revokeTree(entry.idHash);
      }
    },
  };
}

export type ResponseWrapper = ReturnType<typeof createResponseWrapper>;

/** The accessor of what was wrapped: a token's, or an AppRole secret id's (the trusted-orchestrator flow, vault-api.md §2.7). */
function wrappedAccessorOf(response: Response): string | undefined {
  if (response.auth) return response.auth.accessor;
  const accessor = response.data?.secret_id_accessor;
  return response.mountType === 'approle' && typeof accessor === 'string' ? accessor : undefined;
}
