// sys/init, sys/seal-status, sys/unseal, sys/seal and sys/rekey/*: the seal lifecycle as HTTP-shaped paths (S1–S12).
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { SealManager } from '../seal/seal-manager.js';
import type { SysDeps } from './sys-deps.js';

export interface SealPathDeps extends SysDeps {
  seal: SealManager;
  storageType: string;
  /** Seals the whole vault: mounts torn down, keys zeroised, `sealed` emitted. */
  sealVault(): Promise<void>;
  /** Runs sys/init, including the root token. */
  initVault(params: InitParams): Promise<Record<string, unknown>>;
  /** Submits one unseal key; opens the vault when the threshold is reached. */
  unsealVault(key: string): Promise<void>;
}

export interface InitParams {
  secret_shares?: number;
  secret_threshold?: number;
  recovery_shares?: number;
  recovery_threshold?: number;
  stored_shares?: number;
  pgp_keys?: string[];
  recovery_pgp_keys?: string[];
  root_token_pgp_key?: string;
}

const initFields = {
  secret_shares: field.int('Number of key shares to split the unseal key into.'),
  secret_threshold: field.int('Number of key shares required to unseal.'),
  recovery_shares: field.int('Auto-unseal only: number of recovery key shares.'),
  recovery_threshold: field.int('Auto-unseal only: number of recovery shares required.'),
  stored_shares: field.int('Accepted for compatibility.'),
  pgp_keys: field.commaList('PGP keys to encrypt the shares with (not supported).'),
  recovery_pgp_keys: field.commaList('PGP keys for recovery shares (not supported).'),
  root_token_pgp_key: field.string('PGP key for the root token (not supported).'),
};

const unsealFields = {
  key: field.string('One unseal key share, hex or base64.'),
  reset: field.bool('Discard the shares submitted so far.', { default: false }),
  migrate: field.bool('Seal migration (not supported).', { default: false }),
};

const rekeyInitFields = {
  secret_shares: field.int('Number of new key shares.'),
  secret_threshold: field.int('Number of new shares required to unseal.'),
  pgp_keys: field.commaList('PGP keys (not supported).'),
  backup: field.bool('Back up PGP-encrypted shares (not supported).', { default: false }),
  require_verification: field.bool('New shares must be proven before they take effect.', { default: false }),
  nonce: field.string('Nonce of the rekey operation to cancel.'),
};

const rekeyUpdateFields = {
  key: field.string('One current unseal key share.'),
  nonce: field.string('Nonce of the rekey operation.'),
};

export function sealPaths(deps: SealPathDeps) {
  const raw = (body: unknown): HandlerResult => ({ raw: body });

  async function sealStatus(): Promise<HandlerResult> {
    const status = await deps.seal.status();
    const cluster = deps.lifecycle.cluster();
    return raw({
      ...status,
      version: deps.version,
      build_date: '2025-06-01T00:00:00Z',
      migration: false,
      storage_type: deps.storageType,
      ...(cluster && !status.sealed ? { cluster_name: cluster.name, cluster_id: cluster.id } : {}),
    });
  }

  async function init(ctx: PathContext<typeof initFields>): Promise<HandlerResult> {
    if (ctx.data.pgp_keys?.length || ctx.data.recovery_pgp_keys?.length || ctx.data.root_token_pgp_key) {
      throw VaultError.invalid('PGP-encrypted key shares are not supported');
    }
    const params: InitParams = {};
    for (const name of ['secret_shares', 'secret_threshold', 'recovery_shares', 'recovery_threshold', 'stored_shares'] as const) {
      const value = ctx.data[name];
      if (ctx.has(name) && value !== undefined) params[name] = value;
    }
    return raw(await deps.initVault(params));
  }

  async function unseal(ctx: PathContext<typeof unsealFields>): Promise<HandlerResult> {
    if (ctx.data.migrate) throw VaultError.invalid('seal migration is not supported');
    if (ctx.data.reset) {
      await deps.seal.resetUnseal();
      return sealStatus();
    }
    if (!ctx.data.key) throw VaultError.invalid("'key' must be specified in request body as JSON, or 'reset' set to true");
    await deps.unsealVault(ctx.data.key);
    return sealStatus();
  }

  async function sealNow(): Promise<undefined> {
    await deps.sealVault();
    return undefined;
  }

  async function rekeyStatus(): Promise<HandlerResult> {
    return raw(await deps.seal.rekeyStatus());
  }

  async function rekeyStart(ctx: PathContext<typeof rekeyInitFields>): Promise<HandlerResult> {
    if (ctx.data.pgp_keys?.length || ctx.data.backup) throw VaultError.invalid('PGP-encrypted key shares are not supported');
    return raw(
      await deps.seal.rekeyInit({
        secret_shares: ctx.data.secret_shares ?? 0,
        secret_threshold: ctx.data.secret_threshold ?? 0,
        require_verification: ctx.data.require_verification,
      }),
    );
  }

  async function rekeyCancel(): Promise<undefined> {
    await deps.seal.rekeyCancel();
    return undefined;
  }

  async function rekeyUpdate(ctx: PathContext<typeof rekeyUpdateFields>): Promise<HandlerResult> {
    if (!ctx.data.key) throw VaultError.invalid('missing key');
    if (!ctx.data.nonce) throw VaultError.invalid('missing nonce');
    const result = await deps.seal.rekeyUpdate(ctx.data.key, ctx.data.nonce);
    if ((result as { complete?: boolean }).complete && !(result as { verification_required?: boolean }).verification_required) deps.events.emit('rekeyed');
    return raw(result);
  }

  async function verifyStatus(): Promise<HandlerResult> {
    return raw(await deps.seal.rekeyVerifyStatus());
  }

  async function verifyUpdate(ctx: PathContext<typeof rekeyUpdateFields>): Promise<HandlerResult> {
    if (!ctx.data.key) throw VaultError.invalid('missing key');
    if (!ctx.data.nonce) throw VaultError.invalid('missing nonce');
    const result = await deps.seal.rekeyVerify(ctx.data.key, ctx.data.nonce);
    if ((result as { complete?: boolean }).complete) deps.events.emit('rekeyed');
    return raw(result);
  }

  async function verifyCancel(): Promise<HandlerResult> {
    return raw(await deps.seal.rekeyVerifyCancel());
  }

  return [
    definePath({
      pattern: 'init',
      fields: initFields,
      operations: {
        read: { summary: 'Whether the vault is initialised.', handler: async () => raw({ initialized: await deps.seal.isInitialized() }) },
        update: { summary: 'Initialise the vault.', handler: init },
      },
      help: { synopsis: 'Initialize a new Vault.' },
    }),
    definePath({
      pattern: 'seal-status',
      operations: { read: { summary: 'Seal status.', handler: sealStatus } },
      help: { synopsis: 'Check the seal status of a Vault.' },
    }),
    definePath({
      pattern: 'unseal',
      fields: unsealFields,
      operations: { update: { summary: 'Submit one unseal key share.', handler: unseal } },
      help: { synopsis: 'Unseal the Vault.' },
    }),
    definePath({
      pattern: 'seal',
      operations: { update: { summary: 'Seal the vault.', handler: sealNow } },
      help: { synopsis: 'Seal the Vault.' },
    }),
    definePath({
      pattern: 'rekey/init',
      fields: rekeyInitFields,
      operations: {
        read: { summary: 'Rekey progress.', handler: rekeyStatus },
        update: { summary: 'Start a rekey.', handler: rekeyStart },
        delete: { summary: 'Cancel the rekey.', handler: rekeyCancel },
      },
      help: { synopsis: 'Initializes or cancels a rekey of the unseal key.' },
    }),
    definePath({
      pattern: 'rekey/update',
      fields: rekeyUpdateFields,
      operations: { update: { summary: 'Submit one current unseal key share.', handler: rekeyUpdate } },
      help: { synopsis: 'Progress the rekey process.' },
    }),
    definePath({
      pattern: 'rekey/verify',
      fields: rekeyUpdateFields,
      operations: {
        read: { summary: 'Verification progress.', handler: verifyStatus },
        update: { summary: 'Submit one new key share for verification.', handler: verifyUpdate },
        delete: { summary: 'Restart verification.', handler: verifyCancel },
      },
      help: { synopsis: 'Verify the new key shares of a rekey.' },
    }),
  ];
}
