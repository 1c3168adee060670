// A login token's renewal, handed to the auth method that issued it (Vault's expiration.RenewToken -> the backend's login renew).
import { VaultError } from '@coffer/sdk';
import type { LoginRenewOutcome, TokenEntry } from '@coffer/token-store';
import type { MountTable } from './mounts/mount-table.js';

export async function renewLogin(mounts: MountTable, entry: TokenEntry, incrementSec: number): Promise<LoginRenewOutcome> {
  const binding = entry.login!;
  const mount = mounts.all().find((m) => m.entry.accessor === binding.mountAccessor);
  // The auth method was disabled: its tokens went with it, so this one is on its way out.
  if (!mount) throw VaultError.invalid('no auth method found for the token, it cannot be renewed');
  if (!mount.backend.renewLogin) throw VaultError.invalid('lease is not renewable');
  const renewal = await mount.backend.renewLogin({ internal: binding.internal, policies: binding.policies, incrementSec });
  const info = mount.env.mount();
  return { renewal, mountDefaultTtlSec: info.defaultLeaseTtlSec, mountMaxTtlSec: info.maxLeaseTtlSec };
}
