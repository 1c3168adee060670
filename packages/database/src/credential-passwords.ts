// Passwords for generated and rotated credentials: Vault's default policy, or a named password policy of the vault.
import { generatePassword, type BackendEnv } from '@coffer/sdk';

export interface CredentialPasswords {
  /** A new password from the named policy, or from Vault's default policy when the name is empty. */
  generate(policyName: string): Promise<string>;
}

export function credentialPasswords(env: BackendEnv): CredentialPasswords {
  return {
    async generate(policyName) {
      if (!policyName) return generatePassword(env.random);
      if (!env.passwordPolicies) throw new Error(`password policy "${policyName}" cannot be used: this vault has no password policies`);
      return env.passwordPolicies.generate(policyName);
    },
  };
}
