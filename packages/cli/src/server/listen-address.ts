// `host:port` as Vault's listener and -dev-listen-address take it (Go's net.SplitHostPort).

export function splitHostPort(address: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(address);
  const plain = /^([^:]*):(\d+)$/.exec(address);
  const match = bracketed ?? plain;
  if (!match) throw new Error(`address ${address}: missing port in address`);
  const port = Number(match[2]);
  if (port > 65535) throw new Error(`address ${address}: invalid port`);
  // An empty host listens everywhere, as Go does.
  return { host: match[1] === '' ? '0.0.0.0' : match[1]!, port };
}
