import { basename, join, resolve } from 'node:path';
import { DistilleryError } from '@distillery/core';
import { channelStatistics, ExampleStore } from '@distillery/data';
import type { DecodedImageFolder, SkippedImage } from './DecodedImageFolder.js';
import { dataDirectory } from './dataDirectory.js';
import { decodeImages } from './decodeImages.js';
import { imageFolderKey } from './imageFolderKey.js';
import { type ExpectedImageCache, readImageCache } from './readImageCache.js';
import { type ImageFile, type ImageFolderListing, scanImageFolder } from './scanImageFolder.js';
import { testImagesByFraction } from './testImagesByFraction.js';
import { writeImageCache } from './writeImageCache.js';

export interface LoadImageFolderOptions {
  /** root/<class>/*.jpg|png, or root/train/<class>/ and root/test/<class>/ (torchvision's ImageFolder convention). */
  readonly root: string;
  /** [height, width] every image is stretched to. */
  readonly size: readonly [number, number];
  /** For a root without train/ and test/: the fraction of each class's images to test on. */
  readonly split?: { readonly test: number };
  /**
   * The training images' per-channel mean and std as both stores' normalisation (default true);
   * false scales the pixels to [0, 1] (mean 0, std 255) instead.
   */
  readonly normalize?: boolean;
  /**
   * Where decoded folders are cached; default `image-cache` in the data folder ({@link dataDirectory}:
   * $DISTILLERY_DATA, else $XDG_CACHE_HOME/distillery, else ~/.cache/distillery).
   */
  readonly cacheDir?: string;
  /** Called as images decode (not when the cache is used). */
  readonly onProgress?: (done: number, total: number) => void;
  /** One line per skipped image or cache problem; default console.warn. */
  readonly onWarning?: (line: string) => void;
  /** Images decoded at once; default 64. */
  readonly concurrency?: number;
}

/** What {@link loadImageFolder} returns: a store per split, and how they were obtained. */
export interface ImageFolderData {
  /** Training images: inputs [height, width, 3] as uint8 RGB, with the normalisation a model sees them through. */
  readonly train: ExampleStore;
  readonly test: ExampleStore;
  readonly classNames: readonly string[];
  readonly layout: ImageFolderListing['layout'];
  /** Whether the pixels came from the image cache rather than the decoder. */
  readonly fromCache: boolean;
  readonly cachePath: string;
  /** Images left out because they could not be decoded (also reported through onWarning). */
  readonly skipped: readonly SkippedImage[];
}

/**
 * Loads an image folder (one folder per class; see {@link scanImageFolder}) as a training and a test
 * {@link ExampleStore} of uint8 RGB images, stretched to `size` ({@link decodeImages}). Class
 * indices follow the sorted folder names. The decoded pixels are cached in `cacheDir` under a key
 * of the folder's listing (paths, sizes, modification times) and the size, written atomically, so
 * the next load reads one file instead of decoding; a cache file that is corrupt costs one warning
 * and a fresh decode. With `normalize` (default) both stores are normalised with the training
 * images' per-channel mean and std (0–255 scale); without, scaled to [0, 1].
 *
 * Unusable images are skipped with one warning line each; a class left without training images,
 * a missing root, a wrong layout, an empty class folder or a single class are one-line
 * DistilleryErrors naming the folder.
 */
export async function loadImageFolder(options: LoadImageFolderOptions): Promise<ImageFolderData> {
  const root = resolve(options.root);
  const [height, width] = checkSize(options.size);
  const warn = options.onWarning ?? ((line: string) => console.warn(line));
  const listing = await scanImageFolder(root);
  if (listing.layout === 'train-test' && options.split !== undefined) {
    throw new DistilleryError(`split.test: ${root} has train/ and test/ folders already; leave split out`, 'split.test');
  }
  if (listing.layout === 'single' && options.split === undefined) {
    throw new DistilleryError(
      `split.test: ${root} has no train/ and test/ folders; give the fraction of each class to test on (split: { test: 0.2 })`,
      'split.test',
    );
  }
  const key = imageFolderKey(listing, [height, width]);
  const cachePath = join(
    options.cacheDir === undefined ? join(dataDirectory(), 'image-cache') : resolve(options.cacheDir),
    `${basename(root).replace(/[^\w.-]/g, '_')}-${height}x${width}-${key}.bin`,
  );
  const expected = { key, height, width, channels: 3, classNames: listing.classNames };

  let folder = await readUsableCache(cachePath, expected, listing, warn);
  const fromCache = folder !== undefined;
  if (folder === undefined) {
    const decoded = await decodeImages(listing.files, [height, width], {
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    let trainCount = 0;
    for (let i = 0; i < listing.trainCount; i++) trainCount += decoded.decoded[i] as number;
    folder = { ...expected, trainCount, pixels: decoded.pixels, labels: decoded.labels, skipped: decoded.skipped };
  }
  for (const { relativePath, reason } of folder.skipped) warn(`image folder ${root}: skipped ${relativePath}: ${reason}`);
  const kept = keptFiles(listing, folder) as ImageFile[];
  checkNothingEmpty(listing, kept, folder, root);
  if (!fromCache) {
    try {
      await writeImageCache(cachePath, folder);
    } catch (error) {
      warn(`image cache: cannot write ${cachePath} (${(error as Error).message.split('\n')[0]}); the next load decodes again`);
    }
  }

  const id = `image-folder:${basename(root)}@${key.slice(0, 12)}`;
  const split = splitStores(listing, kept, folder, options.split?.test, id, root);
  // Without normalising, pixels are still scaled to [0, 1], as for the CIFAR sources: raw 0–255 inputs suit no model.
  const normalization = (options.normalize ?? true) ? channelStatistics(split.train) : { mean: [0, 0, 0], std: [255, 255, 255] };
  return {
    train: split.train.withNormalization(normalization),
    test: split.test.withNormalization(normalization),
    classNames: listing.classNames,
    layout: listing.layout,
    fromCache,
    cachePath,
    skipped: folder.skipped,
  };
}

function checkSize(size: readonly [number, number]): [number, number] {
  const [height, width] = size;
  if (size.length !== 2 || !Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new DistilleryError(`size: expected [height, width], positive integers, got [${size.join(', ')}]`, 'size');
  }
  return [height, width];
}

/**
 * The cached decode of this listing, or undefined: when there is none, or (after one warning line)
 * when the file is corrupt or does not fit the listing.
 */
async function readUsableCache(
  cachePath: string,
  expected: ExpectedImageCache,
  listing: ImageFolderListing,
  warn: (line: string) => void,
): Promise<DecodedImageFolder | undefined> {
  try {
    const folder = await readImageCache(cachePath, expected);
    if (folder !== undefined && keptFiles(listing, folder) === undefined) {
      throw new Error('its images do not match the folder listing');
    }
    return folder;
  } catch (error) {
    warn(`image cache ${cachePath} is unusable (${(error as Error).message}); decoding the images again`);
    return undefined;
  }
}

/**
 * The listed files that made it into `folder`, in example order; undefined when the folder's
 * labels or training count do not fit them (a cache that lies).
 */
function keptFiles(listing: ImageFolderListing, folder: DecodedImageFolder): ImageFile[] | undefined {
  const skipped = new Set(folder.skipped.map(({ relativePath }) => relativePath));
  const kept: ImageFile[] = [];
  let keptTraining = 0;
  listing.files.forEach((file, index) => {
    if (skipped.has(file.relativePath)) return;
    kept.push(file);
    if (index < listing.trainCount) keptTraining++;
  });
  const fits =
    kept.length === folder.labels.length &&
    keptTraining === folder.trainCount &&
    kept.every((file, k) => file.label === folder.labels[k]);
  return fits ? kept : undefined;
}

/** A class whose training images were all skipped cannot be learnt, nor a test set tested: one line naming it. */
function checkNothingEmpty(
  listing: ImageFolderListing,
  kept: readonly ImageFile[],
  folder: DecodedImageFolder,
  root: string,
): void {
  const trains = new Uint8Array(listing.classNames.length);
  for (let k = 0; k < folder.trainCount; k++) trains[(kept[k] as ImageFile).label] = 1;
  const missing = listing.classNames.filter((_, c) => trains[c] === 0);
  const where = listing.layout === 'train-test' ? 'train/' : '';
  if (missing.length > 0) {
    throw new DistilleryError(
      `image folder ${root}: no image of class folder ${missing.map((name) => where + name).join(', ')} could be decoded`,
      'root',
    );
  }
  if (listing.layout === 'train-test' && folder.trainCount === kept.length) {
    throw new DistilleryError(`image folder ${root}: no image under test/ could be decoded`, 'root');
  }
}

/**
 * The training and test stores: with train/ and test/, the two ends of the decoded pixels (no copy);
 * otherwise each class's test fraction gathered out into two new arrays.
 */
function splitStores(
  listing: ImageFolderListing,
  kept: readonly ImageFile[],
  folder: DecodedImageFolder,
  testFraction: number | undefined,
  id: string,
  root: string,
): { train: ExampleStore; test: ExampleStore } {
  const { pixels, labels, height, width, channels, trainCount } = folder;
  const imageBytes = height * width * channels;
  const store = (part: string, inputs: Uint8Array, partLabels: Int32Array): ExampleStore =>
    new ExampleStore({
      id: `${id}/${part}`,
      inputs,
      exampleShape: [height, width, channels],
      labels: partLabels,
      numClasses: listing.classNames.length,
      classNames: listing.classNames,
    });
  if (testFraction === undefined) {
    return {
      train: store('train', pixels.subarray(0, trainCount * imageBytes), labels.subarray(0, trainCount)),
      test: store('test', pixels.subarray(trainCount * imageBytes), labels.subarray(trainCount)),
    };
  }
  const isTest = testImagesByFraction(kept, testFraction, root);
  const testCount = isTest.reduce((sum, flag) => sum + flag, 0);
  const parts = [0, 1].map((flag) => {
    const count = flag === 1 ? testCount : kept.length - testCount;
    return { inputs: new Uint8Array(count * imageBytes), labels: new Int32Array(count), filled: 0 };
  });
  for (let k = 0; k < kept.length; k++) {
    const part = parts[isTest[k] as number] as (typeof parts)[number];
    part.inputs.set(pixels.subarray(k * imageBytes, (k + 1) * imageBytes), part.filled * imageBytes);
    part.labels[part.filled++] = labels[k] as number;
  }
  const [train, test] = parts as [(typeof parts)[number], (typeof parts)[number]];
  return {
    train: store(`train(test ${testFraction})`, train.inputs, train.labels),
    test: store(`test(${testFraction})`, test.inputs, test.labels),
  };
}
