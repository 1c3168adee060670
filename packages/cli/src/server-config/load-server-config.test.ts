// -config paths on a real directory tree: files, directories of *.hcl/*.json (editor backups
// skipped), a file reached twice, and Vault's message when nothing is found.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFiles, loadServerConfig, NO_CONFIGURATION_FILES_MESSAGE } from './load-server-config.js';
import { ServerConfigError } from './server-config-error.js';

const CONFIG = 'listener "tcp" {\n  tls_disable = true\n}\nstorage "file" {\n  path = "data"\n}\n';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(paths: string[]): Promise<ServerConfigError> {
  const error = await loadServerConfig(paths, { env: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServerConfigError);
  return error as ServerConfigError;
}

describe('loadServerConfig', () => {
  it('reads a file, naming it in messages, with relative paths left as written', async () => {
    const file = join(dir, 'vault.hcl');
    await writeFile(file, `${CONFIG}ui = true\n`);
    const config = await loadServerConfig([file], { env: {} });
    expect(config.storage).toEqual({ type: 'file', path: 'data' });
    expect(config.warnings).toEqual([`${file}:7: ui = true is ignored: Coffer serves no web UI`]);
  });

  it('reads the one *.hcl or *.json file of a directory, skipping editor backups, other files and subdirectories', async () => {
    await writeFile(join(dir, 'vault.json'), JSON.stringify({ listener: { tcp: { tls_disable: true } }, storage: { inmem: {} } }));
    await writeFile(join(dir, 'vault.hcl~'), 'garbage');
    await writeFile(join(dir, '.#vault.hcl'), 'garbage');
    await writeFile(join(dir, '#vault.hcl#'), 'garbage');
    await writeFile(join(dir, 'README.txt'), 'garbage');
    await mkdir(join(dir, 'old.hcl'));
    expect(await configFiles([dir])).toEqual([join(dir, 'vault.json')]);
    expect((await loadServerConfig([dir], { env: {} })).storage).toEqual({ type: 'inmem' });
  });

  it('reads a file named both directly and through its directory once', async () => {
    const file = join(dir, 'vault.hcl');
    await writeFile(file, CONFIG);
    expect(await configFiles([dir, file])).toEqual([file]);
    expect((await loadServerConfig([file, dir], { env: {} })).listeners).toHaveLength(1);
  });

  it('reports a syntax error with the file path and line', async () => {
    const file = join(dir, 'bad.hcl');
    await writeFile(file, 'listener "tcp" {\n  adress = "x"\n}\n');
    expect((await loadError([file])).message).toBe(`${file}:2: unknown key "adress" in listener "tcp"`);
  });

  it('answers Vault`s message when the paths hold no configuration file', async () => {
    await writeFile(join(dir, 'notes.txt'), 'not a config');
    const error = await loadError([dir]);
    expect(error.message).toBe(NO_CONFIGURATION_FILES_MESSAGE);
    expect(error.fileName).toBeUndefined();
    expect(NO_CONFIGURATION_FILES_MESSAGE).toBe(
      'No configuration files found. Please provide configurations with the -config flag. If you are supplying the path to a directory, please ensure the directory contains files with the .hcl or .json extension.',
    );
  });

  it('refuses several files rather than merging them', async () => {
    await writeFile(join(dir, 'a.hcl'), CONFIG);
    await writeFile(join(dir, 'b.json'), '{}');
    expect((await loadError([dir])).message).toBe(`Coffer reads a single configuration file, but -config names 2: ${join(dir, 'a.hcl')}, ${join(dir, 'b.json')} (Vault would merge them)`);
  });

  it('names a path that does not exist', async () => {
    const missing = join(dir, 'missing.hcl');
    const error = await loadError([missing]);
    expect(error.fileName).toBe(missing);
    expect(error.message).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: error loading configuration: ENOENT`));
  });
});
