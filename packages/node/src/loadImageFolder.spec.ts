import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExampleStore } from '@distillery/data';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoadImageFolderOptions, loadImageFolder } from './loadImageFolder.js';

type Rgb = readonly [number, number, number];

/**
 * Writes an image of one colour, 8×8 unless told: PNG or JPEG by extension; `alpha` adds a
 * half-transparent alpha channel, `grey` makes it one channel of value r.
 */
async function solidImage(
  path: string,
  [r, g, b]: Rgb,
  kind: { alpha?: boolean; grey?: boolean; width?: number; height?: number } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const width = kind.width ?? 8;
  const height = kind.height ?? 8;
  let image: ReturnType<typeof sharp>;
  if (kind.grey === true) {
    image = sharp(Buffer.alloc(width * height, r), { raw: { width, height, channels: 1 } }).toColourspace('b-w');
  } else {
    const background = kind.alpha === true ? { r, g, b, alpha: 0.5 } : { r, g, b };
    image = sharp({ create: { width, height, channels: kind.alpha === true ? 4 : 3, background } });
  }
  await (path.endsWith('.png') ? image.png() : image.jpeg({ quality: 95 })).toFile(path);
}

/** A pixel's three channels. */
function pixel(store: ExampleStore, example: number, row = 0, column = 0): number[] {
  const [height, width] = store.exampleShape as [number, number, number];
  const at = ((example * height + row) * width + column) * 3;
  return [...store.inputs.subarray(at, at + 3)];
}

const colours: Record<string, Rgb> = { zebra: [200, 40, 10], apple: [10, 120, 250], mango: [90, 90, 30] };

let root: string;
let cacheDir: string;
let warnings: string[];
beforeEach(async () => {
  const directory = await mkdtemp(join(tmpdir(), 'distillery-image-folder-'));
  root = join(directory, 'shapes');
  cacheDir = join(directory, 'cache');
  warnings = [];
});
afterEach(async () => {
  await rm(dirname(root), { recursive: true, force: true });
});

/** root/{train,test}/{zebra,apple,mango}: 4 training and 2 test PNGs per class, solid colours. */
async function trainTestFolder(): Promise<void> {
  for (const [name, colour] of Object.entries(colours)) {
    for (let i = 0; i < 4; i++) await solidImage(join(root, 'train', name, `${i}.png`), colour);
    for (let i = 0; i < 2; i++) await solidImage(join(root, 'test', name, `${i}.png`), colour);
  }
}

function load(options: Partial<LoadImageFolderOptions> = {}) {
  return loadImageFolder({ root, size: [8, 8], cacheDir, onWarning: (line) => warnings.push(line), ...options });
}

describe('loadImageFolder', () => {
  describe('with train/ and test/ folders', () => {
    it('labels images by their class folder, classes in sorted order', async () => {
      await trainTestFolder();
      const data = await load({ normalize: false });
      expect(data.layout).toBe('train-test');
      expect(data.classNames).toEqual(['apple', 'mango', 'zebra']);
      expect(data.train.classNames).toEqual(['apple', 'mango', 'zebra']);
      expect([...data.train.labels]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
      expect([...data.test.labels]).toEqual([0, 0, 1, 1, 2, 2]);
      expect(data.train.exampleShape).toEqual([8, 8, 3]);
      expect(data.train.inputs).toBeInstanceOf(Uint8Array);
      expect(data.train.inputs.length).toBe(12 * 8 * 8 * 3);
      expect(warnings).toEqual([]);
    });

    it('decodes PNG pixels exactly and JPEG pixels within its loss, alpha dropped and grey expanded', async () => {
      await trainTestFolder();
      await solidImage(join(root, 'train', 'apple', '1.png'), [10, 120, 250], { alpha: true });
      await solidImage(join(root, 'train', 'apple', '2.png'), [77, 0, 0], { grey: true });
      await rm(join(root, 'train', 'apple', '3.png'));
      await solidImage(join(root, 'train', 'apple', '3.jpg'), [10, 120, 250]);
      const { train } = await load({ normalize: false });
      expect(pixel(train, 0)).toEqual([10, 120, 250]);
      expect(pixel(train, 0, 7, 7)).toEqual([10, 120, 250]);
      expect(pixel(train, 1, 3, 5)).toEqual([10, 120, 250]);
      expect(pixel(train, 2, 4, 4)).toEqual([77, 77, 77]);
      const jpeg = pixel(train, 3, 2, 6);
      for (const [c, value] of [10, 120, 250].entries()) expect(Math.abs((jpeg[c] as number) - value)).toBeLessThanOrEqual(4);
      expect(pixel(train, 4)).toEqual([90, 90, 30]);
      expect(pixel(train, 11, 7, 0)).toEqual([200, 40, 10]);
    });

    it('stretches every image to the size asked for', async () => {
      await trainTestFolder();
      await solidImage(join(root, 'train', 'mango', 'wide.png'), [90, 90, 30], { width: 20, height: 5 });
      const { train } = await load({ size: [4, 6], normalize: false });
      expect(train.exampleShape).toEqual([4, 6, 3]);
      expect(train.inputs.length).toBe(13 * 4 * 6 * 3);
      const wide = 4 + 3; // mango/wide.png sorts after mango/0..3.png
      for (const [row, column] of [
        [0, 0],
        [3, 5],
        [2, 1],
      ] as const) {
        expect(pixel(train, wide, row, column)).toEqual([90, 90, 30]);
        expect(pixel(train, 0, row, column)).toEqual([10, 120, 250]);
      }
    });

    it('normalises both splits with the training images’ per-channel mean and std', async () => {
      await trainTestFolder();
      const data = await load();
      // Four images of each colour, all 8×8: the mean of the three colours; std over the three alike.
      const values = Object.values(colours);
      const mean = [0, 1, 2].map((c) => values.reduce((sum, colour) => sum + (colour[c] as number), 0) / 3);
      const std = [0, 1, 2].map((c) =>
        Math.sqrt(values.reduce((sum, colour) => sum + ((colour[c] as number) - (mean[c] as number)) ** 2, 0) / 3),
      );
      const normalization = data.train.normalization;
      expect(normalization?.mean.map((m) => m.toFixed(6))).toEqual(mean.map((m) => m.toFixed(6)));
      expect(normalization?.std.map((s) => s.toFixed(6))).toEqual(std.map((s) => s.toFixed(6)));
      expect(data.test.normalization).toEqual(normalization);
      const first = data.test.valuesOf(Int32Array.of(0));
      expect(first[0]).toBeCloseTo((10 - (mean[0] as number)) / (std[0] as number), 5);
      const unnormalized = await load({ normalize: false });
      expect(unnormalized.train.id).not.toBe(data.train.id);
      expect(unnormalized.test.valuesOf(Int32Array.of(0))[2]).toBeCloseTo(250 / 255, 6);
    });
  });

  describe('with one folder per class and a test fraction', () => {
    it('holds out that fraction of every class, the same images on every load', async () => {
      for (const [name, colour] of Object.entries(colours)) {
        for (let i = 0; i < 5; i++) await solidImage(join(root, name, `${i}.png`), colour);
      }
      const data = await load({ split: { test: 0.4 }, normalize: false });
      expect(data.layout).toBe('single');
      expect([...data.train.labels]).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
      expect([...data.test.labels]).toEqual([0, 0, 1, 1, 2, 2]);
      expect(pixel(data.test, 5)).toEqual([200, 40, 10]);
      const again = await load({ split: { test: 0.4 }, normalize: false });
      expect(again.fromCache).toBe(true);
      expect(again.test.inputs).toEqual(data.test.inputs);
      expect(again.test.id).toBe(data.test.id);
    });

    it('asks for the fraction when the folder has no train/ and test/', async () => {
      for (const name of ['a', 'b']) await solidImage(join(root, name, '0.png'), [1, 2, 3]);
      await expect(load()).rejects.toThrow(`split.test: ${root} has no train/ and test/ folders; give the fraction`);
    });

    it('refuses a fraction when the folder is split already', async () => {
      await trainTestFolder();
      await expect(load({ split: { test: 0.2 } })).rejects.toThrow(`split.test: ${root} has train/ and test/ folders already`);
    });
  });

  describe('caches the decoded images', () => {
    it('reads the second load from the cache file, without decoding', async () => {
      await trainTestFolder();
      let progressCalls = 0;
      const first = await load({ onProgress: () => progressCalls++ });
      expect(first.fromCache).toBe(false);
      expect(progressCalls).toBe(18);
      expect(await readdir(cacheDir)).toEqual([first.cachePath.slice(cacheDir.length + 1)]);
      const second = await load({ onProgress: () => progressCalls++ });
      expect(second.fromCache).toBe(true);
      expect(progressCalls).toBe(18);
      expect(second.train.inputs).toEqual(first.train.inputs);
      expect(second.test.labels).toEqual(first.test.labels);
      expect(second.train.id).toBe(first.train.id);
      expect(second.train.normalization).toEqual(first.train.normalization);
    });

    it('decodes again when an image changes, or another size is asked for', async () => {
      await trainTestFolder();
      await load({ normalize: false });
      const path = join(root, 'train', 'apple', '0.png');
      const { mtime } = await stat(path);
      await solidImage(path, [1, 2, 3]);
      await utimes(path, mtime, new Date(mtime.getTime() + 5000));
      const edited = await load({ normalize: false });
      expect(edited.fromCache).toBe(false);
      expect(pixel(edited.train, 0)).toEqual([1, 2, 3]);
      expect((await load({ size: [4, 4] })).fromCache).toBe(false);
      expect((await load({ normalize: false })).fromCache).toBe(true);
    });

    it('warns once and decodes again when the cache file is corrupt', async () => {
      await trainTestFolder();
      const first = await load();
      const bytes = await readFile(first.cachePath);
      await writeFile(first.cachePath, bytes.subarray(0, bytes.length - 10));
      const truncated = await load();
      expect(truncated.fromCache).toBe(false);
      expect(warnings).toEqual([
        `image cache ${first.cachePath} is unusable (${bytes.length - 10} bytes, the header says ${bytes.length}); decoding the images again`,
      ]);
      expect(truncated.train.inputs).toEqual(first.train.inputs);
      expect((await load()).fromCache).toBe(true);
      bytes.fill(0, 0, 8);
      await writeFile(first.cachePath, bytes);
      expect((await load()).fromCache).toBe(false);
      expect(warnings[1]).toContain('it does not start with the image cache magic');
    });

    it('still loads, with one warning, when the cache cannot be written', async () => {
      await trainTestFolder();
      await writeFile(cacheDir, 'a file where the cache folder should be');
      const data = await load();
      expect(data.train.size).toBe(12);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        new RegExp(`^image cache: cannot write ${data.cachePath} \\(.*\\); the next load decodes again$`),
      );
    });
  });

  describe('with bad input', () => {
    it('skips an image that cannot be decoded, naming it in one line', async () => {
      await trainTestFolder();
      await writeFile(join(root, 'train', 'mango', '1.png'), 'not a png');
      const jpeg = await readFile(join(root, 'test', 'apple', '0.png'));
      await writeFile(join(root, 'test', 'zebra', '1.png'), jpeg.subarray(0, 40));
      const data = await load({ normalize: false });
      expect(data.train.size).toBe(11);
      expect(data.test.size).toBe(5);
      expect([...data.train.labels]).toEqual([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2]);
      expect(data.skipped.map(({ relativePath }) => relativePath)).toEqual(['train/mango/1.png', 'test/zebra/1.png']);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(new RegExp(`^image folder ${root}: skipped train/mango/1\\.png: [^\\n]+$`));
      expect(warnings[1]).toMatch(new RegExp(`^image folder ${root}: skipped test/zebra/1\\.png: [^\\n]+$`));
      // The cache remembers what it skipped, and says so again.
      const cached = await load({ normalize: false });
      expect(cached.fromCache).toBe(true);
      expect(warnings.slice(2)).toEqual(warnings.slice(0, 2));
      expect(cached.train.labels).toEqual(data.train.labels);
    });

    it('stops with one line when no image of a class can be decoded, and writes no cache', async () => {
      await trainTestFolder();
      for (let i = 0; i < 4; i++) await writeFile(join(root, 'train', 'zebra', `${i}.png`), 'broken');
      await expect(load()).rejects.toThrow(`image folder ${root}: no image of class folder train/zebra could be decoded`);
      await expect(readdir(cacheDir)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('names a missing root and the layout it expects', async () => {
      await expect(load()).rejects.toThrow(
        `image folder ${root} not found (expected root/<class>/*.jpg|png, or root/train/<class>/`,
      );
    });

    it('names a root without class folders', async () => {
      await mkdir(root, { recursive: true });
      await writeFile(join(root, 'readme.txt'), 'no images here');
      await expect(load({ split: { test: 0.5 } })).rejects.toThrow(`image folder ${root}: no class folders (expected`);
    });

    it('needs at least two classes', async () => {
      await solidImage(join(root, 'only', '0.png'), [1, 2, 3]);
      await expect(load({ split: { test: 0.5 } })).rejects.toThrow(
        `image folder ${root}: only one class folder (only); a classifier needs at least 2 classes`,
      );
    });

    it('names an empty class folder', async () => {
      await trainTestFolder();
      await mkdir(join(root, 'train', 'kiwi'));
      await mkdir(join(root, 'test', 'kiwi'));
      await writeFile(join(root, 'test', 'kiwi', 'notes.txt'), 'not an image');
      await expect(load()).rejects.toThrow(
        `image folder ${root}: class folder ${join(root, 'train', 'kiwi')} has no .jpg, .jpeg or .png images`,
      );
    });

    it('names the class folders that train/ and test/ do not share', async () => {
      await trainTestFolder();
      await solidImage(join(root, 'train', 'kiwi', '0.png'), [1, 2, 3]);
      await rm(join(root, 'test', 'mango'), { recursive: true });
      await expect(load()).rejects.toThrow(
        `image folder ${root}: train/ and test/ must hold the same class folders; only in train/: kiwi, mango`,
      );
    });

    it('names a root with train/ but no test/', async () => {
      await solidImage(join(root, 'train', 'a', '0.png'), [1, 2, 3]);
      await expect(load()).rejects.toThrow(`image folder ${root}: has train/ but no test/`);
    });
  });
});
