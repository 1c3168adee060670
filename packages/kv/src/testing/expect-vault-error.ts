// Asserts a rejected call carries Vault's status and exact error strings.
import { VaultError } from '@coffer/sdk';
import { expect } from 'vitest';

export async function expectVaultError(promise: Promise<unknown>, status: number, message?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  const vaultError = error as VaultError;
  expect(vaultError.status).toBe(status);
  expect(vaultError.errors).toEqual(message === undefined ? [] : [message]);
}
