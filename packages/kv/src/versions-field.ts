// The `versions` list that delete/, undelete/ and destroy/ take (a comma list or an array of integers).
import { field, VaultError } from '@coffer/sdk';

export const versionFields = {
  path: field.string('Location of the secret.'),
  versions: field.commaIntList('The versions to act on.'),
};

/** Vault spells this error "No version number provided" for delete/undelete and "no version number provided" for destroy. */
export function requireVersions(versions: readonly number[] | undefined, message: string): readonly number[] {
  if (!versions || versions.length === 0) throw VaultError.invalid(message);
  return versions;
}
