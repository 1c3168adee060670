// CIDR blocks on tokens, secret ids and roles (Vault's sockaddr / cidrutil): parsed once, matched against the caller's address.
import { BlockList, isIP } from 'node:net';

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Throws a message in Vault's words. */
export function checkCidr(text: string): string {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const family = isIP(address);
  const prefixText = slash === -1 ? String(family === 6 ? 128 : 32) : trimmed.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (family === 0 || !(prefix >= 0 && prefix <= (family === 6 ? 128 : 32))) throw new Error(`invalid CIDR block: ${JSON.stringify(text)}`);
  return trimmed;
}

/**
 * Whether `remoteAddr` lies in one of `cidrs`; an empty list allows every address, a missing
 * address (an in-process call without one) is allowed only by an empty list, as Vault's
 * RemoteAddrIsOk does.
 */
export function addressAllowed(remoteAddr: string | undefined, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  if (remoteAddr === undefined) return false;
  // An IPv4 client seen through a dual-stack socket arrives as ::ffff:a.b.c.d.
  const address = remoteAddr.startsWith('::ffff:') && isIP(remoteAddr.slice(7)) === 4 ? remoteAddr.slice(7) : remoteAddr;
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const slash = cidr.indexOf('/');
    const base = slash === -1 ? cidr : cidr.slice(0, slash);
    const baseFamily = isIP(base);
    if (baseFamily === 0) continue;
    const prefix = slash === -1 ? (baseFamily === 6 ? 128 : 32) : Number(cidr.slice(slash + 1));
    list.addSubnet(base, prefix, baseFamily === 6 ? 'ipv6' : 'ipv4');
  }
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}
