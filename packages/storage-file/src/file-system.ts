// The file-system calls the file adapter makes (Vault's file backend uses os.* directly).
// A type, so fault and power-loss tests (reliability.md F5) can record them without patching node:fs.
import type * as fsPromises from 'node:fs/promises';

export type FileSystem = Pick<typeof fsPromises, 'open' | 'readFile' | 'writeFile' | 'rename' | 'unlink' | 'mkdir' | 'rmdir' | 'readdir' | 'realpath' | 'link' | 'stat'>;
