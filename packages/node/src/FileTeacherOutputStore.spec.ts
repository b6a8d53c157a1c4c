import { createHash } from 'node:crypto';
import type * as fs from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistilleryError } from '@distillery/core';
import type { TeacherOutputLayout, TeacherOutputStore } from '@distillery/core/internal';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileTeacherOutputStore } from './FileTeacherOutputStore.js';
import { fileTeacherOutputStores } from './fileTeacherOutputStores.js';

/** A disk that fills up on demand: while `writeError` is set, every positional write throws it. */
const disk = vi.hoisted(() => ({ writeError: undefined as Error | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  const writeSync = actual.writeSync as (...args: unknown[]) => number;
  return {
    ...actual,
    writeSync: (...args: unknown[]) => {
      if (disk.writeError !== undefined) throw disk.writeError;
      return writeSync(...args);
    },
  };
});

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-teacher-cache-'));
});
afterEach(async () => {
  disk.writeError = undefined;
  await rm(directory, { recursive: true, force: true });
});

const examples = 10;

function layoutOf(precision: 'float32' | 'float16', seed = 'cache'): TeacherOutputLayout {
  return {
    key: createHash('sha256').update(seed).digest('hex'),
    examples,
    entries: [
      { name: 'teacher/logits', shape: [3] },
      { name: 'teacher/conv', shape: [2, 2, 2] },
    ],
    precision,
  };
}

function rowValues(layout: TeacherOutputLayout, entry: number): number {
  return (layout.entries[entry]?.shape ?? []).reduce((size, dim) => size * dim, 1);
}

/** Row `row` of `entry`, distinct everywhere; magnitudes in [0.01, 40] so float16 keeps them normal. */
function rowOf(layout: TeacherOutputLayout, entry: number, row: number): Float32Array {
  const values = new Float32Array(rowValues(layout, entry));
  for (let i = 0; i < values.length; i++) {
    values[i] = (i % 2 === 0 ? 1 : -1) * (0.01 + ((row * 7.31 + entry * 3.7 + i * 1.13) % 40));
  }
  return values;
}

function rowsOf(layout: TeacherOutputLayout, entry: number, rows: readonly number[]): Float32Array {
  const size = rowValues(layout, entry);
  const values = new Float32Array(rows.length * size);
  rows.forEach((row, k) => {
    values.set(rowOf(layout, entry, row), k * size);
  });
  return values;
}

/** Rows in the order training would visit them: shuffled, with a few consecutive stretches. */
const writeOrder = [7, 8, 9, 2, 0, 5, 6, 1, 4, 3];

/** Writes every row of every entry, `batchSize` rows at a time, in `writeOrder`. */
function fill(store: TeacherOutputStore, layout: TeacherOutputLayout, batchSize = 3): void {
  for (let start = 0; start < writeOrder.length; start += batchSize) {
    const batch = writeOrder.slice(start, start + batchSize);
    for (let entry = 0; entry < layout.entries.length; entry++) {
      store.write(entry, Int32Array.from(batch), rowsOf(layout, entry, batch));
    }
  }
}

function read(store: TeacherOutputStore, layout: TeacherOutputLayout, entry: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * rowValues(layout, entry));
  store.read(entry, Int32Array.from(rows), out);
  return out;
}

const allRows = Array.from({ length: examples }, (_, row) => row);
const readOrders = [allRows, [...allRows].reverse(), [4, 1, 9, 0, 3, 2, 8, 5, 7, 6]];

function bytesOf(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('a file teacher-output store', () => {
  it('gives back float32 rows bit for bit, for two entries of different row shapes, written and read in shuffled orders', async () => {
    const layout = layoutOf('float32');
    const store = await fileTeacherOutputStores(directory).create(layout);
    expect(store.complete).toBe(false);
    expect(store.location).toBe(join(directory, `${layout.key}.bin`));
    fill(store, layout);
    for (const rows of readOrders) {
      for (let entry = 0; entry < layout.entries.length; entry++) {
        expect(bytesOf(read(store, layout, entry, rows))).toEqual(bytesOf(rowsOf(layout, entry, rows)));
      }
    }
    await store.close();
  });

  it('gives back float16 rows within half precision (2^-11 relative), for two entries written and read in shuffled orders', async () => {
    const layout = layoutOf('float16');
    const store = await fileTeacherOutputStores(directory).create(layout);
    fill(store, layout, 4);
    for (const rows of readOrders) {
      for (let entry = 0; entry < layout.entries.length; entry++) {
        const expected = rowsOf(layout, entry, rows);
        const actual = read(store, layout, entry, rows);
        expect(actual.length).toBe(expected.length);
        for (let i = 0; i < expected.length; i++) {
          const value = expected[i] as number;
          expect(Math.abs((actual[i] as number) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11);
        }
      }
    }
    await store.close();
  });

  it('lays each entry out in its own region of <key>.bin, row r at r × rowBytes, and describes it in <key>.json', async () => {
    const layout = layoutOf('float32');
    const store = await fileTeacherOutputStores(directory).create(layout);
    fill(store, layout);
    await store.finish();
    await store.close();
    const data = new Uint8Array(await readFile(join(directory, `${layout.key}.bin`)));
    const logitsBytes = 3 * 4;
    const convBytes = 8 * 4;
    expect(data.byteLength).toBe(examples * (logitsBytes + convBytes));
    expect(data.subarray(6 * logitsBytes, 7 * logitsBytes)).toEqual(bytesOf(rowOf(layout, 0, 6)));
    const convRegion = examples * logitsBytes;
    expect(data.subarray(convRegion + 4 * convBytes, convRegion + 5 * convBytes)).toEqual(bytesOf(rowOf(layout, 1, 4)));
    const manifest = JSON.parse(await readFile(join(directory, `${layout.key}.json`), 'utf8'));
    expect(manifest).toEqual({ ...layout, bytes: data.byteLength, complete: true });
  });
});

describe('fileTeacherOutputStores', () => {
  it('finds nothing before finish(), and after it a complete store whose rows a later run reads back', async () => {
    const layout = layoutOf('float16');
    const store = await fileTeacherOutputStores(directory).create(layout);
    fill(store, layout);
    expect(await fileTeacherOutputStores(directory).find(layout)).toBeUndefined();
    await store.finish();
    await store.close();

    const found = await fileTeacherOutputStores(directory).find(layout);
    expect(found).toBeInstanceOf(FileTeacherOutputStore);
    expect(found?.complete).toBe(true);
    expect(found?.location).toBe(join(directory, `${layout.key}.bin`));
    const reopened = found as TeacherOutputStore;
    const written = await fileTeacherOutputStores(directory).create({ ...layout, key: layoutOf('float16', 'other').key });
    fill(written, layout);
    for (const rows of readOrders) {
      for (let entry = 0; entry < layout.entries.length; entry++) {
        // Same bytes as a store that was just written: the float16 values survive the round trip to disk unchanged.
        expect(read(reopened, layout, entry, rows)).toEqual(read(written, layout, entry, rows));
      }
    }
    expect(() => reopened.write(0, Int32Array.of(0), rowOf(layout, 0, 0))).toThrow('complete and read-only');
    await written.close();
    await reopened.close();
    await reopened.close();
  });

  it('leaves neither manifest nor data when a fill stops before finish(), so a later run finds nothing and creates the store again', async () => {
    const layout = layoutOf('float32');
    const stopped = await fileTeacherOutputStores(directory).create(layout);
    stopped.write(0, Int32Array.of(3, 4), rowsOf(layout, 0, [3, 4]));
    expect(await readdir(directory)).toEqual([
      expect.stringMatching(new RegExp(`^${layout.key}\\.bin\\..+-${process.pid}-\\d+\\.partial$`)),
    ]);
    await stopped.close();
    expect(await readdir(directory)).toEqual([]);

    const stores = fileTeacherOutputStores(directory);
    expect(await stores.find(layout)).toBeUndefined();
    const again = await stores.create(layout);
    fill(again, layout);
    await again.finish();
    await again.close();
    const found = await fileTeacherOutputStores(directory).find(layout);
    expect(found?.complete).toBe(true);
    expect(bytesOf(read(found as TeacherOutputStore, layout, 1, allRows))).toEqual(bytesOf(rowsOf(layout, 1, allRows)));
    await found?.close();
  });

  it('refuses a manifest that differs from the layout, a truncated data file and a corrupt manifest, deleting nothing', async () => {
    const layout = layoutOf('float32');
    const stores = fileTeacherOutputStores(directory);
    const store = await stores.create(layout);
    fill(store, layout);
    await store.finish();
    await store.close();
    const manifestPath = join(directory, `${layout.key}.json`);
    const dataPath = join(directory, `${layout.key}.bin`);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));

    // The layout asked for differs from the one on disk.
    expect(await stores.find({ ...layout, precision: 'float16' })).toBeUndefined();
    expect(await stores.find({ ...layout, examples: examples - 1 })).toBeUndefined();
    expect(await stores.find({ ...layout, entries: [layout.entries[0] as never] })).toBeUndefined();
    expect(
      await stores.find({ ...layout, entries: [layout.entries[0] as never, { name: 'teacher/conv', shape: [2, 4] }] }),
    ).toBeUndefined();
    expect(
      await stores.find({ ...layout, entries: [layout.entries[0] as never, { name: 'teacher/fc', shape: [2, 2, 2] }] }),
    ).toBeUndefined();

    // The manifest on disk was edited.
    for (const edited of [
      { ...manifest, key: layoutOf('float32', 'other').key },
      { ...manifest, precision: 'float16' },
      { ...manifest, entries: [manifest.entries[1], manifest.entries[0]] },
      { ...manifest, complete: false },
      { ...manifest, bytes: manifest.bytes - 4 },
    ]) {
      await writeFile(manifestPath, JSON.stringify(edited));
      expect(await stores.find(layout)).toBeUndefined();
    }
    await writeFile(manifestPath, JSON.stringify(manifest));
    const found = await stores.find(layout);
    expect(found?.complete).toBe(true);
    await found?.close();

    await truncate(dataPath, manifest.bytes - 1);
    expect(await stores.find(layout)).toBeUndefined();
    await truncate(dataPath, manifest.bytes);

    await writeFile(manifestPath, '{"key": "');
    expect(await stores.find(layout)).toBeUndefined();
    expect((await readdir(directory)).sort()).toEqual([`${layout.key}.bin`, `${layout.key}.json`]);
  });

  it('finds nothing, and creates nothing, in a directory that does not exist', async () => {
    const missing = join(directory, 'not-yet');
    expect(await fileTeacherOutputStores(missing).find(layoutOf('float32'))).toBeUndefined();
    expect(await exists(missing)).toBe(false);
  });
});

describe('creating a store over a complete one', () => {
  it('removes the manifest before anything else, so the key is not found again until finish()', async () => {
    const layout = layoutOf('float32');
    const stores = fileTeacherOutputStores(directory);
    const first = await stores.create(layout);
    fill(first, layout);
    await first.finish();
    await first.close();
    expect(await exists(join(directory, `${layout.key}.json`))).toBe(true);

    const second = await stores.create(layout);
    expect(await exists(join(directory, `${layout.key}.json`))).toBe(false);
    expect(await stores.find(layout)).toBeUndefined();
    // The data file starts over empty at its full size: nothing of the earlier fill is read back.
    expect(read(second, layout, 0, [0])).toEqual(new Float32Array(3));
    fill(second, layout);
    expect(await stores.find(layout)).toBeUndefined();
    await second.finish();
    await second.close();
    const found = await stores.find(layout);
    expect(found?.complete).toBe(true);
    await found?.close();
  });

  it('has removed the manifest even when the filled data then cannot be put in place, and says so in one line', async () => {
    const layout = layoutOf('float32');
    const stores = fileTeacherOutputStores(directory);
    const first = await stores.create(layout);
    fill(first, layout);
    await first.finish();
    await first.close();
    const dataPath = join(directory, `${layout.key}.bin`);
    await rm(dataPath);
    await mkdir(dataPath);

    const second = await stores.create(layout);
    expect(await exists(join(directory, `${layout.key}.json`))).toBe(false);
    fill(second, layout);
    const error = await second.finish().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DistilleryError);
    expect((error as Error).message).toMatch(
      new RegExp(`^teacher cache: cannot rename .+\\.partial to ${dataPath}: illegal operation on a directory \\(EISDIR\\)$`),
    );
    expect(await exists(join(directory, `${layout.key}.json`))).toBe(false);
    await second.close();
    expect((await readdir(directory)).sort()).toEqual([`${layout.key}.bin`]);
  });
});

describe('fills of one key at the same time', () => {
  it('write separate files, so neither sees the other’s rows, and whichever finishes is found whole', async () => {
    const layout = layoutOf('float32');
    const stores = fileTeacherOutputStores(directory);
    const early = await stores.create(layout);
    const late = await stores.create(layout);
    fill(early, layout);
    // The late fill has written nothing yet: its file is still zeros, whatever the early one wrote.
    expect(read(late, layout, 0, [0])).toEqual(new Float32Array(3));
    await early.finish();
    await early.close();
    const found = await stores.find(layout);
    expect(bytesOf(read(found as TeacherOutputStore, layout, 1, allRows))).toEqual(bytesOf(rowsOf(layout, 1, allRows)));
    // The late fill finishes over it with the same values; a reader that opened the early file keeps reading it.
    fill(late, layout);
    await late.finish();
    await late.close();
    expect(bytesOf(read(found as TeacherOutputStore, layout, 0, allRows))).toEqual(bytesOf(rowsOf(layout, 0, allRows)));
    await found?.close();
    expect((await readdir(directory)).sort()).toEqual([`${layout.key}.bin`, `${layout.key}.json`]);
  });

  it('clean up what a killed process of this host left under the key, and leave a live one’s', async () => {
    const layout = layoutOf('float32');
    const host = hostname();
    // 2^22 + 1 is above Linux's largest pid (2^22), so no process has it.
    const dead = `${layout.key}.bin.${host}-4194305-0.partial`;
    const live = `${layout.key}.bin.${host}-${process.pid}-99.partial`;
    const otherKey = `${'f'.repeat(64)}.bin.${host}-4194305-0.partial`;
    for (const name of [dead, live, otherKey]) await writeFile(join(directory, name), 'rows');
    const store = await fileTeacherOutputStores(directory).create(layout);
    await store.close();
    expect((await readdir(directory)).sort()).toEqual([live, otherKey].sort());
  });
});

describe('a teacher cache that cannot be written', () => {
  it('reports an unwritable directory as a DistilleryError, one line naming the path', async () => {
    const blocker = join(directory, 'blocker');
    await writeFile(blocker, 'a regular file');
    const cacheDirectory = join(blocker, 'teacher-cache');
    const stores = fileTeacherOutputStores(cacheDirectory);
    expect(await stores.find(layoutOf('float32'))).toBeUndefined();

    const error = await stores.create(layoutOf('float32')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DistilleryError);
    expect((error as Error).message).toBe(`teacher cache: cannot create directory ${cacheDirectory}: not a directory (ENOTDIR)`);
    expect((error as Error).message).not.toContain('\n');
  });

  it('reports a full disk as a DistilleryError naming the data file', async () => {
    const layout = layoutOf('float16');
    const store = await fileTeacherOutputStores(directory).create(layout);
    disk.writeError = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
    });
    const write = () => store.write(1, Int32Array.of(2, 3), rowsOf(layout, 1, [2, 3]));
    expect(write).toThrow(DistilleryError);
    expect(write).toThrow(
      new RegExp(`^teacher cache: cannot write ${store.location}\\..+\\.partial: no space left on device \\(ENOSPC\\)$`),
    );
    await store.close();
    expect(await fileTeacherOutputStores(directory).find(layout)).toBeUndefined();
  });
});
