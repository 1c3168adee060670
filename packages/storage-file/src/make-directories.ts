// `mkdir -p` one level at a time. Node's recursive mkdir never returns when a level answers
// ENOENT although its parent exists (a storage path under /proc, say); a server given such a
// path must stop with an error, not spin.
import { dirname } from 'node:path';
import { errorCode } from './errno.js';
import type { FileSystem } from './file-system.js';

/** Creates `dir` and its missing parents (mode 0700); returns the top-most folder created, as mkdir's recursive form does. */
export async function makeDirectories(fs: FileSystem, dir: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    try {
      await fs.stat(current);
      break;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      missing.push(current);
      if (dirname(current) === current) break;
    }
  }
  for (const folder of [...missing].reverse()) {
    try {
      await fs.mkdir(folder, { mode: 0o700 });
    } catch (error) {
      // Another process made it meanwhile: that is what we wanted.
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
  return missing.at(-1);
}
