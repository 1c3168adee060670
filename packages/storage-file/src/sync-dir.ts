// fsync of a folder, the step that makes a created, renamed or removed name durable.
import { constants } from 'node:fs';
import type * as nodeFs from 'node:fs/promises';
import { errorCode } from './errno.js';
import type { FileSystem } from './file-system.js';

/** fsync of a folder: makes a created, renamed or removed name in it durable. */
export async function syncDir(fs: FileSystem, dir: string): Promise<void> {
  let handle: nodeFs.FileHandle;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
  } catch (error) {
    // Windows cannot open a directory; its metadata journaling is what we get there.
    if (process.platform === 'win32' && (errorCode(error) === 'EISDIR' || errorCode(error) === 'EPERM')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!(process.platform === 'win32' && errorCode(error) === 'EPERM')) throw error;
  } finally {
    await handle.close();
  }
}
