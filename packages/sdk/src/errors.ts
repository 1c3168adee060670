// Vault's error kinds and the HTTP status each one answers with (vault/logical/error.go, http/logical.go).

export const ERROR_CODES = [
  'invalid_request',
  'permission_denied',
  'not_found',
  'unsupported_operation',
  'precondition_failed',
  'unsupported_media_type',
  'payload_too_large',
  'rate_limited',
  'internal',
  'sealed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one status table: every code maps to exactly one HTTP status. */
export const ERROR_STATUS: { readonly [C in ErrorCode]: number } = {
  invalid_request: 400,
  permission_denied: 403,
  not_found: 404,
  unsupported_operation: 405,
  precondition_failed: 412,
  unsupported_media_type: 415,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  sealed: 503,
};

/**
 * A failure Vault reports to its client. `errors` are Vault's exact strings (clients match
 * on them); `data` rides along where Vault sends a body with the error.
 */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  readonly status: number;
  readonly errors: readonly string[];

  constructor(
    readonly code: ErrorCode,
    errors: string | readonly string[],
    readonly data?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    const list = typeof errors === 'string' ? [errors] : errors;
    super(list.length > 0 ? list.join('; ') : code, options);
    this.errors = list;
    this.status = ERROR_STATUS[code];
  }

  static invalid(message: string, data?: Record<string, unknown>): VaultError {
    return new VaultError('invalid_request', message, data);
  }

  /**
   * A login that presented wrong credentials (Vault's logical.ErrInvalidCredentials): a 400
   * whose only effect beyond the answer is to count towards the user's lockout.
   */
  static invalidCredentials(message: string): VaultError {
    return new InvalidCredentialsError(message);
  }

  /** Vault formats permission errors as Go multierrors; clients match on the substring. */
  static permissionDenied(): VaultError {
    return new VaultError('permission_denied', '1 error occurred:\n\t* permission denied\n\n');
  }

  static invalidToken(): VaultError {
    return new VaultError('permission_denied', '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n');
  }

  /** A read or list that found nothing: 404 with an empty error list. */
  static notFound(message?: string): VaultError {
    return new VaultError('not_found', message === undefined ? [] : [message]);
  }

  static unsupportedPath(path: string): VaultError {
    return new VaultError('not_found', `no handler for route "${path}". route entry not found.`);
  }

  static unsupportedOperation(): VaultError {
    return new VaultError('unsupported_operation', 'unsupported operation');
  }

  /** A 500. `cause` keeps the underlying failure (a storage error, say) for the host's logs. */
  static internal(message: string, cause?: unknown): VaultError {
    return new VaultError('internal', message, undefined, cause === undefined ? undefined : { cause });
  }

  /** Any failure as the client sees it: VaultErrors as they are, anything else a 500 with its cause. */
  static from(error: unknown): VaultError {
    if (error instanceof VaultError) return error;
    return VaultError.internal(error instanceof Error ? error.message : String(error), error);
  }

  static sealed(): VaultError {
    return new VaultError('sealed', 'Vault is sealed');
  }
}

export function isVaultError(value: unknown): value is VaultError {
  return value instanceof VaultError;
}

/** See `VaultError.invalidCredentials`. */
export class InvalidCredentialsError extends VaultError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}
