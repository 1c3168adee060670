// Policy capabilities as a bitmask, so merging policies is an OR and a check is one AND.

export const CAPABILITIES = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny', 'subscribe', 'recover'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One bit per capability. The values are internal; only their distinctness matters. */
export const CAPABILITY_BITS: { readonly [C in Capability]: number } = {
  deny: 1 << 0,
  create: 1 << 1,
  read: 1 << 2,
  update: 1 << 3,
  delete: 1 << 4,
  list: 1 << 5,
  sudo: 1 << 6,
  patch: 1 << 7,
  subscribe: 1 << 8,
  recover: 1 << 9,
};

export const DENY_BIT = CAPABILITY_BITS.deny;
export const SUDO_BIT = CAPABILITY_BITS.sudo;

/** Alphabetical, the order sys/capabilities reports in. */
const SORTED: readonly Capability[] = [...CAPABILITIES].sort();

export function isCapability(value: string): value is Capability {
  return Object.hasOwn(CAPABILITY_BITS, value);
}

/** The capability names in a bitmask, sorted ascending. A deny bit hides every other bit. */
export function capabilityNames(bits: number): Capability[] {
  if ((bits & DENY_BIT) !== 0) return ['deny'];
  return SORTED.filter((c) => (bits & CAPABILITY_BITS[c]) !== 0);
}

/**
 * What sys/capabilities reports for a matched rule's bitmask: `["deny"]` when the rule denies
 * or grants nothing at all, else the granted names sorted ascending.
 */
export function reportedCapabilities(bits: number): string[] {
  const names = capabilityNames(bits);
  return names.length === 0 ? ['deny'] : names;
}
