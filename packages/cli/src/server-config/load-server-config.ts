// `-config PATH` as Vault resolves it: a file, or a directory whose *.hcl and *.json files are
// read in name order (editor backups skipped). Vault merges several files into one configuration;
// Coffer reads exactly one and says so rather than guessing at the merge.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ParseServerConfigOptions } from './config-context.js';
import { parseServerConfig } from './parse-server-config.js';
import type { ServerConfig } from './server-config.js';
import { ServerConfigError } from './server-config-error.js';

/** Vault's words when the -config paths hold no configuration file. */
export const NO_CONFIGURATION_FILES_MESSAGE =
  'No configuration files found. Please provide configurations with the -config flag. If you are supplying the path to a directory, please ensure the directory contains files with the .hcl or .json extension.';

/** Reads and parses the one configuration file that `paths` (the -config values) name. */
export async function loadServerConfig(paths: readonly string[], options: ParseServerConfigOptions = {}): Promise<ServerConfig> {
  const files = await configFiles(paths);
  const [file, another] = files;
  if (file === undefined) throw new ServerConfigError(undefined, NO_CONFIGURATION_FILES_MESSAGE);
  if (another !== undefined) {
    throw new ServerConfigError(undefined, `Coffer reads a single configuration file, but -config names ${files.length}: ${files.join(', ')} (Vault would merge them)`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ServerConfigError(file, `error loading configuration: ${(error as Error).message}`, undefined, { cause: error });
  }
  return parseServerConfig(text, file, options);
}

/** The configuration files `paths` name, each once, in Vault's order. */
export async function configFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (error) {
      throw new ServerConfigError(path, `error loading configuration: ${(error as Error).message}`, undefined, { cause: error });
    }
    const found = isDirectory ? await directoryFiles(path) : [path];
    // A file also reached through its directory is read once, as Vault's checkSkipPaths arranges.
    for (const file of found) {
      const key = resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      files.push(file);
    }
  }
  return files;
}

async function directoryFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory() && (e.name.endsWith('.hcl') || e.name.endsWith('.json')) && !isEditorTemporary(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => join(dir, name));
}

/** vim's `name~` and emacs's `.#name` / `#name#`, which Vault skips. */
function isEditorTemporary(name: string): boolean {
  return name.endsWith('~') || name.startsWith('.#') || (name.startsWith('#') && name.endsWith('#'));
}
