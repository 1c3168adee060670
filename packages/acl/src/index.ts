// Vault's ACL policies as pure functions: parse policy text, compile a token's policies, check requests.
export { CAPABILITIES, CAPABILITY_BITS, capabilityNames } from './capability.js';
export type { Capability } from './capability.js';
export { PolicyParseError } from './policy-parse-error.js';
export { normalizePolicyName, parsePolicy } from './policy.js';
export type { PathRule, Policy } from './policy.js';
export type { PathKind } from './path-pattern.js';
export { compileAcl, ROOT_POLICY_NAME } from './acl.js';
export type { Acl, AclDecision, AclOperation, AclRequest } from './acl.js';
export type { TemplateAlias, TemplateContext, TemplateGroup } from './template.js';
export { DEFAULT_POLICY_NAME, DEFAULT_POLICY_TEXT, RESPONSE_WRAPPING_POLICY_NAME, RESPONSE_WRAPPING_POLICY_TEXT } from './builtin-policies.js';
