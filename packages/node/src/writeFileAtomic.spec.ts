import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from './writeFileAtomic.js';

/** When set, writes through node:fs/promises file handles fail as on a full disk. */
const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...original,
    open: async (...args: Parameters<typeof original.open>) => {
      const handle = await original.open(...args);
      const writeFile = handle.writeFile.bind(handle);
      handle.writeFile = async (...data: Parameters<typeof handle.writeFile>) => {
        if (disk.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return writeFile(...data);
      };
      return handle;
    },
  };
});

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-atomic-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temporary file behind', async () => {
    const path = join(directory, 'record.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, new TextEncoder().encode('second'));
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(directory)).toEqual(['record.json']);
  });

  it('keeps the old file whole, and leaves no temporary file, when the disk fills up', async () => {
    const path = join(directory, 'state.ckpt');
    await writeFileAtomic(path, 'good state');
    disk.full = true;
    try {
      await expect(writeFileAtomic(path, 'newer state')).rejects.toMatchObject({ code: 'ENOSPC' });
    } finally {
      disk.full = false;
    }
    expect(await readFile(path, 'utf8')).toBe('good state');
    expect(await readdir(directory)).toEqual(['state.ckpt']);
  });

  it('writes a list of parts one after another', async () => {
    const path = join(directory, 'parts.bin');
    await writeFileAtomic(path, [Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)]);
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
  });

  it('creates the folders on the way', async () => {
    const path = join(directory, 'a', 'b', 'c.txt');
    await writeFileAtomic(path, 'deep');
    expect(await readFile(path, 'utf8')).toBe('deep');
  });
});
