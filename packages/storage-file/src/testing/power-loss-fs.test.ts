// The power-loss model itself: only fsynced data under fsynced names survives, and crashAfter kills the "process".
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { materialize, PowerCutError, PowerLossFs, type CrashImage } from './power-loss-fs.js';

const { O_CREAT, O_EXCL, O_RDONLY, O_WRONLY } = constants;
const text = (image: CrashImage, path: string) => {
  const entry = image.entries.get(path);
  return entry?.type === 'file' ? Buffer.from(entry.data).toString() : entry?.type;
};

async function syncPath(model: PowerLossFs, path: string): Promise<void> {
  const handle = await model.fs.open(path, O_RDONLY);
  await handle.sync();
  await handle.close();
}

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('PowerLossFs', () => {
  it('keeps a name only once its folder is fsynced, and data only once its file is', async () => {
    const model = new PowerLossFs({ durableDirs: ['/d'] });
    const handle = await model.fs.open('/d/f', O_WRONLY | O_CREAT | O_EXCL, 0o600);
    await handle.writeFile('one');
    expect(model.crashImage().entries.has('/d/f')).toBe(false); // the name is volatile
    await syncPath(model, '/d');
    expect(text(model.crashImage(), '/d/f')).toBe(''); // durable name, unsynced inode: torn
    await handle.sync();
    expect(text(model.crashImage(), '/d/f')).toBe('one');
    await handle.writeFile('-two');
    await handle.close();
    expect(await model.fs.readFile('/d/f', 'utf8')).toBe('one-two'); // reads see the page cache
    expect(text(model.crashImage(), '/d/f')).toBe('one');
    expect(model.crashImage().entries.get('/d/f')).toMatchObject({ mode: 0o600 });
  });

  it('keeps the old name after an unsynced rename, unlink or rmdir, and forgets an unsynced mkdir', async () => {
    const model = new PowerLossFs({ durableDirs: ['/d/gone'] });
    await model.fs.writeFile('/d/a', 'a');
    const handle = await model.fs.open('/d/a', O_RDONLY);
    await handle.sync();
    await handle.close();
    await syncPath(model, '/d');
    await model.fs.rename('/d/a', '/d/b');
    await model.fs.rmdir('/d/gone');
    await model.fs.mkdir('/d/new', { mode: 0o700 });
    expect([...model.crashImage().entries.keys()].sort()).toEqual(['/d', '/d/a', '/d/gone']);
    await syncPath(model, '/d');
    expect([...model.crashImage().entries.keys()].sort()).toEqual(['/d', '/d/b', '/d/new']);
    expect(text(model.crashImage(), '/d/b')).toBe('a');
    await model.fs.unlink('/d/b');
    expect(model.crashImage().entries.has('/d/b')).toBe(true);
  });

  it('behaves like node:fs where the adapter relies on it', async () => {
    const model = new PowerLossFs();
    await expect(model.fs.mkdir('/x/y', { mode: 0o700 })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await model.fs.mkdir('/x/y', { recursive: true, mode: 0o700 })).toBe('/x');
    await expect(model.fs.mkdir('/x/y')).rejects.toMatchObject({ code: 'EEXIST' });
    await model.fs.writeFile('/x/y/f', 'f', { flag: 'wx' });
    await expect(model.fs.writeFile('/x/y/f', 'f', { flag: 'wx' })).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(model.fs.open('/x/y/f', O_WRONLY | O_CREAT | O_EXCL)).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(model.fs.link('/x/y/f', '/x/y/f')).rejects.toMatchObject({ code: 'EEXIST' });
    await model.fs.link('/x/y/f', '/x/l');
    expect(await model.fs.readFile('/x/l', 'utf8')).toBe('f');
    await expect(model.fs.rmdir('/x/y')).rejects.toMatchObject({ code: 'ENOTEMPTY' });
    await expect(model.fs.readFile('/x/y/missing')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(model.fs.readdir('/x/l')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(model.fs.open('/x/y', O_WRONLY)).rejects.toMatchObject({ code: 'EISDIR' });
    const entries = await model.fs.readdir('/x', { withFileTypes: true });
    expect(entries.map((e) => [e.name, e.isFile(), e.isDirectory()])).toEqual([
      ['y', false, true],
      ['l', true, false],
    ]);
    expect(await model.fs.realpath('/x/./y/..')).toBe('/x');
    expect((await model.fs.stat('/x/y')).isDirectory()).toBe(true);
  });

  it('logs each mutating call and dies after the n-th', async () => {
    const model = new PowerLossFs({ durableDirs: ['/d'] });
    model.crashAfter(2);
    await model.fs.writeFile('/d/a', 'a');
    await model.fs.readFile('/d/a'); // reads are not crash points
    await model.fs.rename('/d/a', '/d/b');
    await expect(model.fs.unlink('/d/b')).rejects.toBeInstanceOf(PowerCutError);
    expect(model.dead).toBe(true);
    // Dead means dead: reads fail too, and nothing more is logged.
    await expect(model.fs.readFile('/d/b')).rejects.toBeInstanceOf(PowerCutError);
    expect(model.log).toEqual([
      { seq: 1, call: 'writeFile', path: '/d/a' },
      { seq: 2, call: 'rename', path: '/d/a', to: '/d/b' },
    ]);
  });

  it('materializes an image below a model folder into a real one, modes included', async () => {
    const model = new PowerLossFs({ durableDirs: ['/srv'] });
    await model.fs.mkdir('/srv/data/sub', { recursive: true, mode: 0o700 });
    const handle = await model.fs.open('/srv/data/sub/f', O_WRONLY | O_CREAT | O_EXCL, 0o600);
    await handle.writeFile('payload');
    await handle.sync();
    await handle.close();
    const real = await mkdtemp(join(tmpdir(), 'coffer-power-loss-model-'));
    made.push(real);
    // Nothing below /srv was fsynced: the whole folder is gone.
    expect(await materialize(model.crashImage(), join(real, 'a'), '/srv/data')).toBe(false);
    await expect(stat(join(real, 'a'))).rejects.toMatchObject({ code: 'ENOENT' });
    for (const dir of ['/srv', '/srv/data', '/srv/data/sub']) await syncPath(model, dir);
    expect(await materialize(model.crashImage(), join(real, 'b'), '/srv/data')).toBe(true);
    expect(await readdir(join(real, 'b'), { recursive: true })).toEqual(['sub', join('sub', 'f')]);
    expect(await readFile(join(real, 'b', 'sub', 'f'), 'utf8')).toBe('payload');
    if (process.platform !== 'win32') {
      expect((await stat(join(real, 'b', 'sub'))).mode & 0o777).toBe(0o700);
      expect((await stat(join(real, 'b', 'sub', 'f'))).mode & 0o777).toBe(0o600);
    }
  });
});
