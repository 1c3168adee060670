// What `coffer server` prints at start, laid out as `vault server` prints it: scripts and
// walkthroughs read "Unseal Key:" and "Root Token:" from the dev banner.
import { VERSION } from 'coffer';

export interface BannerListener {
  address: string;
  tls: boolean;
  maxRequestSizeBytes: number;
}

export interface BannerFacts {
  apiAddress: string;
  listeners: readonly BannerListener[];
  storage: string;
  logLevel: string;
  seal: string;
}

/** `==> Vault server configuration:` with right-aligned labels, and the started line. */
export function configurationBanner(facts: BannerFacts): string {
  const rows: Array<[string, string]> = [
    ['Api Address', facts.apiAddress],
    ...facts.listeners.map((l, i): [string, string] => [
      `Listener ${i + 1}`,
      `tcp (addr: "${l.address}", max_request_size: "${Number.isFinite(l.maxRequestSizeBytes) ? l.maxRequestSizeBytes : -1}", tls: "${l.tls ? 'enabled' : 'disabled'}")`,
    ]),
    ['Log Level', facts.logLevel],
    ['Mlock', 'supported: false, enabled: false'],
    ['Seal Type', facts.seal],
    ['Storage', facts.storage],
    ['Version', `Coffer (Vault API v${VERSION}), Node ${process.version}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padStart(width)}: ${value}`);
  return ['==> Vault server configuration:', '', ...lines, '', '==> Vault server started! Log data will stream in below:', ''].join('\n') + '\n';
}

export interface DevFacts {
  address: string;
  caFile?: string;
  unsealKey: string;
  rootToken: string;
}

/** The dev-mode warning block with the address, the unseal key and the root token. */
export function devBanner(facts: DevFacts): string {
  const exports = [`    $ export VAULT_ADDR='${facts.address}'`];
  if (facts.caFile) exports.push(`    $ export VAULT_CACERT='${facts.caFile}'`);
  return [
    'WARNING! dev mode is enabled! In this mode, Vault runs entirely in-memory',
    'and starts unsealed with a single unseal key. The root token is already',
    'authenticated to the CLI, so you can immediately begin using Vault.',
    '',
    'You may need to set the following environment variables:',
    '',
    ...exports,
    '',
    'The unseal key and root token are displayed below in case you want to',
    'seal/unseal the Vault or re-authenticate.',
    '',
    `Unseal Key: ${facts.unsealKey}`,
    `Root Token: ${facts.rootToken}`,
    '',
    'Development mode should NOT be used in production installations!',
    '',
  ].join('\n') + '\n';
}
