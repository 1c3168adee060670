// The policies every Vault has: `default` (editable, created at first unseal), `response-wrapping`
// (hidden, given to wrapping tokens) and `root` (no rules; compileAcl treats it specially).

export const DEFAULT_POLICY_NAME = 'default';
export const RESPONSE_WRAPPING_POLICY_NAME = 'response-wrapping';
export { ROOT_POLICY_NAME } from './acl.js';

/** The contents Vault writes for `default` when it does not exist yet. */
export const DEFAULT_POLICY_TEXT = `# Let a token read its own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Let a token renew itself
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Let a token revoke itself
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Let a token ask for its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Let a token read its own identity entity, by id or by name
path "identity/entity/id/{{identity.entity.id}}" {
    capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
    capabilities = ["read"]
}

# Let a token read the ACL that results from all of its policies (used by UIs;
# internal because its format follows the ACL implementation)
path "sys/internal/ui/resultant-acl" {
    capabilities = ["read"]
}

# Let a token renew a lease named by lease_id in the body: the legacy path and
# the current one
path "sys/renew" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}

# Let a token look up a lease whose ID it already knows; this reveals nothing
# sensitive
path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Let a token manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}

# Let a token wrap arbitrary data in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# Let a token look up the creation time and TTL of a response-wrapping token
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# Let a token unwrap a response-wrapping token without swapping tokens (the
# response-wrapping policy grants this too)
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# General-purpose tools
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}

# Let a holder of a Control Group accessor check the request's status
path "sys/control-group/request" {
    capabilities = ["update"]
}

# Let a token call the authorization endpoint of OIDC providers
path "identity/oidc/provider/+/authorize" {
    capabilities = ["read", "update"]
}
`;

/** The hidden policy of response-wrapping tokens: read the wrapped response, or unwrap it. */
export const RESPONSE_WRAPPING_POLICY_TEXT = `path "cubbyhole/response" {
    capabilities = ["create", "read"]
}

path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}
`;
