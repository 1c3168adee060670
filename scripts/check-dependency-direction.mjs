#!/usr/bin/env node
// Fails when a package imports against the layering of DESIGN.md §1:
// storage -> sdk -> {engines, acl, token-store} -> core -> vault -> http, cli.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.argv[2] ?? new URL('..', import.meta.url).pathname;
const ENGINES = ['kv', 'userpass', 'approle', 'database', 'pki', 'totp', 'transit'];

/** For each package directory: the workspace packages (by directory) it may import. */
const ALLOWED = {
  storage: [],
  'storage-file': ['storage'],
  'storage-postgres': ['storage'],
  sdk: ['storage'],
  hcl: [],
  acl: ['hcl', 'sdk', 'storage'],
  'token-store': ['hcl', 'sdk', 'storage', 'acl'],
  ...Object.fromEntries(ENGINES.map((e) => [e, ['sdk', 'storage']])),
  core: ['hcl', 'sdk', 'storage', 'acl', 'token-store'],
  vault: ['core', 'sdk', 'storage', 'storage-file', 'storage-postgres', 'hcl', 'acl', 'token-store', ...ENGINES],
  http: ['vault', 'core', 'sdk', 'storage'],
  cli: ['http', 'vault', 'core', 'sdk', 'storage', 'storage-file', 'storage-postgres', 'hcl'],
};

const packagesDir = join(root, 'packages');
const dirs = readdirSync(packagesDir).filter((d) => statSync(join(packagesDir, d)).isDirectory());
const nameToDir = new Map();
for (const dir of dirs) {
  const manifest = join(packagesDir, dir, 'package.json');
  if (existsSync(manifest)) nameToDir.set(JSON.parse(readFileSync(manifest, 'utf8')).name, dir);
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield full;
  }
}

const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const problems = [];
for (const dir of dirs) {
  const allowed = ALLOWED[dir];
  if (!allowed) {
    problems.push(`packages/${dir}: not placed in the layering; add it to scripts/check-dependency-direction.mjs`);
    continue;
  }
  const src = join(packagesDir, dir, 'src');
  if (!existsSync(src)) continue;
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      const pkgName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      const target = nameToDir.get(pkgName);
      if (specifier.startsWith('.')) {
        const resolved = join(file, '..', specifier);
        if (!resolved.startsWith(join(packagesDir, dir) + '/')) problems.push(`${relative(root, file)}: relative import leaves its package: ${specifier}`);
        continue;
      }
      if (target === undefined || target === dir) continue;
      if (!allowed.includes(target)) problems.push(`${relative(root, file)}: ${dir} may not import ${pkgName} (packages/${target})`);
    }
  }
}

if (problems.length > 0) {
  console.error('Dependency direction violations (DESIGN.md §1):');
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`dependency direction: ${dirs.length} packages checked, no violations`);
