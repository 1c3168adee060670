// A leased secret type of a backend: how the expiration manager renews and revokes it (framework.Secret).
import type { Storage } from '@coffer/storage';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { MountInfo } from './request.js';

export interface SecretContext<I extends Record<string, unknown> = Record<string, unknown>> {
  leaseId: string;
  /** What the handler stored in `secret.internal` when the secret was issued. */
  internal: I;
  issueTimeMs: number;
  /** For renewals: the increment asked for, in seconds (0 = the default). */
  incrementSec: number;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  mount: MountInfo;
}

export interface RenewResult {
  ttlSec?: number;
  maxTtlSec?: number;
}

export interface SecretDefinition<I extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  /** Absent: the lease is not renewable. */
  renew?: (ctx: SecretContext<I>) => Promise<RenewResult | undefined>;
  revoke: (ctx: SecretContext<I>) => Promise<void>;
}

export function defineSecret<I extends Record<string, unknown>>(spec: SecretDefinition<I>): SecretDefinition<I> {
  return spec;
}
