// The logical request and response every Vault operation is expressed as (vault/logical/request.go, response.go).
import type { Storage } from '@coffer/storage';
import type { Clock } from './clock.js';
import type { LoginGrant } from './login.js';
import type { Crypto } from './crypto.js';
import type { Logger } from './logger.js';
import type { Random } from './random.js';

/** Logical operations. HTTP POST/PUT arrive as `update` and become `create` when the target is absent. */
export const OPERATIONS = ['create', 'read', 'update', 'patch', 'delete', 'list', 'help'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** What a caller hands to `vault.handle()`, in-process or through the HTTP adapter. */
export interface Request {
  operation: Operation;
  /** Path below `/v1/`, e.g. `secret/data/app` or `sys/mounts/kv`. */
  path: string;
  data?: Record<string, unknown>;
  token?: string;
  /** Asks for the response to be wrapped (`X-Vault-Wrap-TTL`): seconds or a duration string. */
  wrapTtl?: number | string;
  headers?: Record<string, string | readonly string[]>;
  remoteAddr?: string;
  remotePort?: number;
  signal?: AbortSignal;
}

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  wrapped_accessor?: string;
}

/** The `auth` block of a login or token-creation response, in Vault's wire names. */
export interface AuthInfo {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  identity_policies?: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: 'service' | 'batch';
  orphan: boolean;
  mfa_requirement: null;
  num_uses: number;
}

/** What `vault.handle()` resolves with. Failures are thrown as `VaultError`. */
export interface Response {
  requestId: string;
  /** The HTTP status Vault answers with: 200, 204, or a non-2xx that still carries a body. */
  status: number;
  data: Record<string, unknown> | null;
  leaseId: string;
  renewable: boolean;
  leaseDurationSec: number;
  auth: AuthInfo | null;
  wrapInfo: WrapInfo | null;
  warnings: string[] | null;
  mountType: string;
  /** Routes Vault answers with a bare JSON object instead of the envelope (sys/health, sys/init, ...). */
  raw?: unknown;
  /** Legacy sys routes that repeat every `data` key at the top level of the body. */
  injectData?: boolean;
}

/** What a path handler returns; the core turns it into a `Response`. */
export interface HandlerResult {
  data?: Record<string, unknown>;
  warnings?: string[];
  /** Overrides the status, e.g. KV v2's 404 that still carries metadata. */
  status?: number;
  raw?: unknown;
  injectData?: boolean;
  /** A secret to put under a lease owned by the mount's `defineSecret` of this type. */
  secret?: SecretGrant;
  /** A token the backend has issued (auth/token/create), in Vault's wire names. */
  auth?: AuthInfo;
  /** A successful login of an auth method: the core issues the token (auth/userpass/login). */
  login?: LoginGrant;
  /** A whole earlier response handed back as it was (sys/wrapping/unwrap, rewrap). */
  response?: Response;
  /**
   * A lease duration reported without a lease (KV v1's `ttl` hint, Vault's passthrough
   * backend): the envelope's `lease_duration`, with `lease_id` empty and nothing registered.
   */
  leaseDurationSec?: number;
  /** An existing lease to report in the envelope (sys/leases/renew); `data` stays null. */
  lease?: { leaseId: string; ttlSec: number; renewable: boolean };
}

export interface SecretGrant {
  type: string;
  /** Stored with the lease and handed back to renew/revoke; never returned to the client. */
  internal: Record<string, unknown>;
  ttlSec?: number;
  maxTtlSec?: number;
  renewable?: boolean;
}

/** The mount a request reached, with TTLs already resolved against the system defaults. */
export interface MountInfo {
  /** Mount path with trailing slash, e.g. `secret/` or `auth/userpass/`. */
  path: string;
  type: string;
  uuid: string;
  accessor: string;
  defaultLeaseTtlSec: number;
  maxLeaseTtlSec: number;
  options: Readonly<Record<string, string>>;
}

/** Facts about the caller that a backend may use. */
export interface CallerInfo {
  requestId: string;
  /** The client token, for the engines that key data by it (cubbyhole). */
  clientToken?: string;
  /** Accessor of the client token. */
  accessor?: string;
  displayName?: string;
  policies?: readonly string[];
  /** The caller's policies grant `sudo` on this path (Vault's SudoPrivilege), for handler-level checks. */
  sudo?: boolean;
  remoteAddr?: string;
  headers: Readonly<Record<string, string | readonly string[]>>;
}

/** Everything a backend receives when its mount is created. */
export interface BackendEnv {
  storage: Storage;
  clock: Clock;
  random: Random;
  crypto: Crypto;
  logger: Logger;
  /** The mount's current settings (they change when the mount is tuned). */
  mount(): MountInfo;
  /** The vault's named password policies (`sys/policies/password`), Vault's GeneratePasswordFromPolicy. */
  passwordPolicies?: PasswordPolicies;
}

export interface PasswordPolicies {
  /** A password from the named policy; throws when there is no such policy. */
  generate(name: string): Promise<string>;
}

/** One request as the router hands it to a mounted backend. */
export interface BackendRequest {
  operation: Operation;
  /** Path relative to the mount, without a leading slash. */
  path: string;
  data: Record<string, unknown>;
  caller: CallerInfo;
  /** The response will be wrapped with this TTL (`X-Vault-Wrap-TTL`). */
  wrapTtlSec?: number;
  signal?: AbortSignal;
}
