// The built-in `default` and `response-wrapping` policies grant what Vault's do.
import { describe, expect, it } from 'vitest';
import { compileAcl } from './acl.js';
import { DEFAULT_POLICY_NAME, DEFAULT_POLICY_TEXT, RESPONSE_WRAPPING_POLICY_NAME, RESPONSE_WRAPPING_POLICY_TEXT, ROOT_POLICY_NAME } from './builtin-policies.js';
import { parsePolicy } from './policy.js';

const defaultAcl = (context?: Parameters<typeof compileAcl>[1]) => compileAcl([parsePolicy(DEFAULT_POLICY_NAME, DEFAULT_POLICY_TEXT)], context);

describe('built-in policies', () => {
  it('have Vault names', () => {
    expect([DEFAULT_POLICY_NAME, ROOT_POLICY_NAME, RESPONSE_WRAPPING_POLICY_NAME]).toEqual(['default', 'root', 'response-wrapping']);
  });

  it('default grants a token its own cubbyhole', () => {
    expect(defaultAcl().capabilities('cubbyhole/x')).toEqual(['create', 'delete', 'list', 'read', 'update']);
  });

  it('default grants exactly Vault’s list of paths', () => {
    const acl = defaultAcl({ entityId: 'e-1', entityName: 'alice' });
    const expected: Record<string, string[]> = {
      'auth/token/lookup-self': ['read'],
      'auth/token/renew-self': ['update'],
      'auth/token/revoke-self': ['update'],
      'sys/capabilities-self': ['update'],
      'identity/entity/id/e-1': ['read'],
      'identity/entity/name/alice': ['read'],
      'sys/internal/ui/resultant-acl': ['read'],
      'sys/renew': ['update'],
      'sys/leases/renew': ['update'],
      'sys/leases/lookup': ['update'],
      'sys/wrapping/wrap': ['update'],
      'sys/wrapping/lookup': ['update'],
      'sys/wrapping/unwrap': ['update'],
      'sys/tools/hash': ['update'],
      'sys/tools/hash/sha2-256': ['update'],
      'sys/control-group/request': ['update'],
      'identity/oidc/provider/my-provider/authorize': ['read', 'update'],
    };
    for (const [path, caps] of Object.entries(expected)) expect([path, acl.capabilities(path)]).toEqual([path, caps]);
    for (const path of ['auth/token/create', 'sys/policy/default', 'identity/entity/id/e-2', 'secret/x', 'sys/leases/lookup/x', 'cubbyhole', 'identity/oidc/provider/a/b/authorize']) {
      expect([path, acl.capabilities(path)]).toEqual([path, ['deny']]);
    }
  });

  it('default drops its identity stanzas for a token without an entity', () => {
    const acl = defaultAcl();
    expect(acl.capabilities('identity/entity/id/{{identity.entity.id}}')).toEqual(['deny']);
    expect(acl.capabilities('identity/entity/id/')).toEqual(['deny']);
    expect(parsePolicy(DEFAULT_POLICY_NAME, DEFAULT_POLICY_TEXT).rules).toHaveLength(18);
  });

  it('response-wrapping reads and creates the wrapped response and can unwrap, nothing more', () => {
    const acl = compileAcl([parsePolicy(RESPONSE_WRAPPING_POLICY_NAME, RESPONSE_WRAPPING_POLICY_TEXT)]);
    expect(acl.capabilities('cubbyhole/response')).toEqual(['create', 'read']);
    expect(acl.capabilities('sys/wrapping/unwrap')).toEqual(['update']);
    expect(acl.capabilities('cubbyhole/other')).toEqual(['deny']);
    expect(acl.capabilities('sys/wrapping/wrap')).toEqual(['deny']);
  });
});
