#!/usr/bin/env node
// Installs the system packages the test suite drives as real outside programs (DESIGN.md §7):
// Debian's python3-hvac for the hvac compatibility tests (test/clients), openssl for the
// certificates they make, and PostgreSQL's server for the database engine's throwaway cluster.
// Run before `vitest run`, so nobody installs them by hand; npm packages (node-vault) come from
// `pnpm install` as usual. Quiet when everything is already there.
import { spawnSync } from 'node:child_process';

/** What must work, and the Debian package that makes it work. */
const REQUIREMENTS = [
  {
    what: 'hvac for /usr/bin/python3',
    check: ['/usr/bin/python3', ['-c', 'import hvac']],
    aptPackage: 'python3-hvac',
    hint: 'the tests run hvac with /usr/bin/python3, Debian\'s interpreter, not a pyenv or venv python3',
  },
  { what: 'openssl', check: ['openssl', ['version']], aptPackage: 'openssl', hint: 'the tests run `openssl` from PATH' },
  {
    what: 'PostgreSQL server binaries',
    check: ['sh', ['-c', 'test -n "$COFFER_PG_BIN" && test -x "$COFFER_PG_BIN/initdb" || ls /usr/lib/postgresql/*/bin/initdb || command -v initdb']],
    aptPackage: 'postgresql',
    hint: 'the tests start a throwaway cluster with /usr/lib/postgresql/<major>/bin/initdb and postgres',
  },
];

function succeeds(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.status === 0;
}

function fail(message) {
  console.error(`\nensure-test-dependencies: ${message}\n`);
  process.exit(1);
}

const missing = REQUIREMENTS.filter(({ check: [command, args] }) => !succeeds(command, args));
if (missing.length === 0) process.exit(0);

const packages = missing.map((requirement) => requirement.aptPackage);
const needs = missing.map((requirement) => requirement.what).join(', ');
if (!succeeds('apt-get', ['--version'])) {
  fail(`missing ${needs}, and apt-get is not available to install it. Install the Debian/Ubuntu packages ${packages.join(' ')} (or the equivalent for this system) and run the tests again.`);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
// Without a terminal, sudo must not wait for a password nobody can type: -n fails at once instead.
const sudo = isRoot ? [] : ['sudo', ...(process.stdin.isTTY ? [] : ['-n'])];
const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

function aptGet(args) {
  const [command, ...rest] = [...sudo, 'apt-get', ...args];
  console.error(`ensure-test-dependencies: ${[command, ...rest].join(' ')}`);
  const result = spawnSync(command, rest, { stdio: 'inherit', env: environment });
  if (result.error) return false;
  return result.status === 0;
}

console.error(`ensure-test-dependencies: missing ${needs}; installing ${packages.join(' ')}`);
// A fresh container often has empty or stale package lists: the first failure earns an update and a retry.
const installed = aptGet(['install', '-y', ...packages]) || (aptGet(['update']) && aptGet(['install', '-y', ...packages]));
if (!installed) {
  fail(`could not install ${packages.join(' ')} with apt-get${isRoot ? '' : ' (through sudo; is passwordless sudo available?)'}. Install them yourself, e.g. \`sudo apt-get install -y ${packages.join(' ')}\`, then run the tests again.`);
}

const stillMissing = REQUIREMENTS.filter(({ check: [command, args] }) => !succeeds(command, args));
if (stillMissing.length > 0) {
  fail(`apt-get finished but ${stillMissing.map((r) => `${r.what} still does not work (${r.hint})`).join('; ')}.`);
}
console.error('ensure-test-dependencies: done');
