// Shared helpers for the vault package's behaviour tests: an unsealed vault and request shorthands.
import { expect } from 'vitest';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { VaultError, type Request, type Response } from '@coffer/sdk';
import { createVault, type Vault } from '../vault.js';
import type { VaultOptions } from '../vault-options.js';

export interface Harness {
  vault: Vault;
  clock: TestClock;
  token: string;
  keys: string[];
  req(operation: Request['operation'], path: string, data?: Record<string, unknown>, token?: string): Promise<Response>;
}

/** A vault initialised with 3 shares / threshold 2 and unsealed, on a TestClock and a seeded Random. */
export async function unsealedVault(options: VaultOptions = {}, seed = 1): Promise<Harness> {
  const clock = options.clock instanceof TestClock ? options.clock : new TestClock();
  const vault = await createVault({ clock, random: seededRandom(seed), ...options });
  const init = await vault.init({ secretShares: 3, secretThreshold: 2 });
  await vault.unseal(init.keys[0]!);
  await vault.unseal(init.keys[1]!);
  return {
    vault,
    clock,
    token: init.root_token,
    keys: init.keys,
    req: (operation, path, data, token = init.root_token) => vault.handle({ operation, path, token, ...(data ? { data } : {}) }),
  };
}

/** Awaits a rejection and checks it is the VaultError Vault would answer with. */
export async function expectVaultError(promise: Promise<unknown>, status: number, message?: string | RegExp): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the request to fail').toBeInstanceOf(VaultError);
  const vaultError = error as VaultError;
  expect(vaultError.status).toBe(status);
  if (message !== undefined) {
    const text = vaultError.errors.join('\n');
    if (typeof message === 'string') expect(text).toContain(message);
    else expect(text).toMatch(message);
  }
  return vaultError;
}
