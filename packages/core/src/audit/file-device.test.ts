// The file audit device against a real temp directory (vault-api.md A2; event/sink_file.go).
import { chmod, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSilentLogger, VaultError } from '@coffer/sdk';
import { TestClock } from '@coffer/sdk/testing';
import { createFileDevice, parseFileDeviceOptions } from './file-device.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-audit-file-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function device(options: Record<string, string>) {
  return createFileDevice({ path: 'file/', options, logger: createSilentLogger(), clock: new TestClock() });
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('file device', () => {
  it('appends one line per write, in order, creating the file with mode 0600', async () => {
    const path = join(dir, 'audit.log');
    const d = device({ file_path: path });
    await d.open!();
    expect(await modeOf(path)).toBe(0o600);
    await Promise.all(Array.from({ length: 50 }, (_, i) => d.write(`${JSON.stringify({ n: i })}\n`)));
    await d.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(50);
    expect(lines.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('appends to an existing file and tightens its mode to the configured one', async () => {
    const path = join(dir, 'audit.log');
    await writeFile(path, 'old line\n', { mode: 0o644 });
    await chmod(path, 0o644);
    const d = device({ file_path: path, mode: '0640' });
    await d.open!();
    await d.write('new line\n');
    await d.close();
    expect(await readFile(path, 'utf8')).toBe('old line\nnew line\n');
    expect(await modeOf(path)).toBe(0o640);
  });

  it('mode "0000" leaves an existing file’s mode alone', async () => {
    const path = join(dir, 'audit.log');
    await writeFile(path, '');
    await chmod(path, 0o604);
    const d = device({ file_path: path, mode: '0000' });
    await d.write('x\n');
    await d.close();
    expect(await modeOf(path)).toBe(0o604);
  });

  it('fails to open an unwritable path: missing parent, a directory, below a file', async () => {
    await writeFile(join(dir, 'plain'), '');
    for (const path of [join(dir, 'missing', 'audit.log'), dir, join(dir, 'plain', 'audit.log')]) {
      const d = device({ file_path: path });
      await expect(d.open!()).rejects.toThrow(/unable to open/);
      await expect(d.write('x\n')).rejects.toThrow();
    }
  });

  it('reopen follows log rotation: the next line goes to a fresh file', async () => {
    const path = join(dir, 'audit.log');
    const d = device({ file_path: path });
    await d.write('first\n');
    await rename(path, `${path}.1`);
    await d.reopen!();
    await d.write('second\n');
    await d.close();
    expect(await readFile(`${path}.1`, 'utf8')).toBe('first\n');
    expect(await readFile(path, 'utf8')).toBe('second\n');
  });

  it('discard accepts writes and touches nothing; a closed device rejects', async () => {
    const d = device({ file_path: 'DISCARD' });
    await d.open!();
    await d.write('x\n');
    await d.close();
    await expect(d.write('y\n')).rejects.toThrow(/closed/);
  });

  it('validates options with Vault’s wording', () => {
    const invalid = (options: Record<string, string>): VaultError => {
      try {
        parseFileDeviceOptions(options);
      } catch (error) {
        expect(error).toBeInstanceOf(VaultError);
        return error as VaultError;
      }
      throw new Error('expected a VaultError');
    };
    expect(invalid({}).errors).toEqual(['"file_path" is required']);
    expect(invalid({}).status).toBe(400);
    expect(invalid({ file_path: 'x', mode: 'rw' }).errors[0]).toMatch(/unable to parse file mode/);
    expect(invalid({ file_path: 'x', mode: '0755' }).errors[0]).toMatch(/executable/);
    expect(parseFileDeviceOptions({ path: '/legacy' })).toEqual({ filePath: '/legacy', mode: 0o600 });
    expect(parseFileDeviceOptions({ file_path: 'Stdout', mode: '0000' })).toEqual({ filePath: 'stdout', mode: 0 });
  });
});
