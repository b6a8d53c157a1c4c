import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DistilleryError } from '@distillery/core';

/** One image file of an image folder, with what the cache key needs to notice it changed. */
export interface ImageFile {
  readonly path: string;
  /** Relative to the root, with '/' separators: `train/cat/0001.jpg`. */
  readonly relativePath: string;
  /** Index of its class folder among the sorted class names. */
  readonly label: number;
  readonly bytes: number;
  readonly mtimeMs: number;
}

/** What {@link scanImageFolder} found: the classes and every image, training images first. */
export interface ImageFolderListing {
  /** `train-test`: root/train/<class>/ and root/test/<class>/; `single`: root/<class>/, to be split. */
  readonly layout: 'train-test' | 'single';
  /** The class folder names, sorted; class index i is classNames[i]. */
  readonly classNames: readonly string[];
  /** Training images (class by class, file names sorted), then test images the same way. */
  readonly files: readonly ImageFile[];
  /** How many of `files` are training images: all of them in the `single` layout. */
  readonly trainCount: number;
}

const imageExtension = /\.(jpe?g|png)$/i;
const expectedLayout = 'expected root/<class>/*.jpg|png, or root/train/<class>/ and root/test/<class>/';
/** Files stat'ed at once: enough to keep the thread pool busy without opening thousands of requests. */
const statConcurrency = 256;

/**
 * Lists an image folder in the torchvision ImageFolder convention: one folder per class, either
 * directly under the root or under root/train and root/test (then both must hold the same class
 * folders). Class names are the folder names, sorted (as JavaScript compares strings), so class
 * indices do not depend on the file system's listing order. Symbolic links to folders count as folders. Only .jpg, .jpeg and .png files count; hidden entries (a
 * leading '.') are ignored. Every layout problem is a one-line DistilleryError naming the folder.
 */
export async function scanImageFolder(root: string): Promise<ImageFolderListing> {
  const top = await listFolder(root, root);
  const folders = (await foldersAmong(top, root)).map((entry) => entry.name);
  const hasTrain = folders.includes('train');
  const hasTest = folders.includes('test');
  if (hasTrain !== hasTest) {
    const [present, missing] = hasTrain ? ['train', 'test'] : ['test', 'train'];
    throw new DistilleryError(`image folder ${root}: has ${present}/ but no ${missing}/ (${expectedLayout})`, 'root');
  }
  if (!hasTrain) {
    const classNames = await classFoldersOf(root, root);
    const files = await imagesOf(root, '', classNames);
    return { layout: 'single', classNames, files, trainCount: files.length };
  }
  const trainRoot = join(root, 'train');
  const testRoot = join(root, 'test');
  const trainClasses = await classFoldersOf(trainRoot, root);
  const testClasses = await classFoldersOf(testRoot, root);
  const onlyTrain = trainClasses.filter((name) => !testClasses.includes(name));
  const onlyTest = testClasses.filter((name) => !trainClasses.includes(name));
  if (onlyTrain.length > 0 || onlyTest.length > 0) {
    const parts = [
      ...(onlyTrain.length > 0 ? [`only in train/: ${onlyTrain.join(', ')}`] : []),
      ...(onlyTest.length > 0 ? [`only in test/: ${onlyTest.join(', ')}`] : []),
    ];
    throw new DistilleryError(
      `image folder ${root}: train/ and test/ must hold the same class folders; ${parts.join('; ')}`,
      'root',
    );
  }
  const train = await imagesOf(root, 'train/', trainClasses);
  const test = await imagesOf(root, 'test/', trainClasses);
  return { layout: 'train-test', classNames: trainClasses, files: [...train, ...test], trainCount: train.length };
}

/** The sorted class folder names under `folder`; at least two. */
async function classFoldersOf(folder: string, root: string): Promise<string[]> {
  const entries = await listFolder(folder, root);
  const classNames = (await foldersAmong(entries, folder))
    .filter((entry) => !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort(byCodeUnit);
  if (classNames.length === 0) {
    throw new DistilleryError(`image folder ${folder}: no class folders (${expectedLayout})`, 'root');
  }
  if (classNames.length === 1) {
    throw new DistilleryError(
      `image folder ${folder}: only one class folder (${classNames[0]}); a classifier needs at least 2 classes`,
      'root',
    );
  }
  return classNames;
}

/** Every image of each class folder under root/prefix, class by class, with its size and modification time. */
async function imagesOf(root: string, prefix: string, classNames: readonly string[]): Promise<ImageFile[]> {
  const found: { path: string; relativePath: string; label: number }[] = [];
  for (const [label, className] of classNames.entries()) {
    const folder = join(root, prefix, className);
    const names = (await listFolder(folder, root))
      .filter((entry) => !entry.isDirectory() && !entry.name.startsWith('.') && imageExtension.test(entry.name))
      .map((entry) => entry.name)
      .sort(byCodeUnit);
    if (names.length === 0) {
      throw new DistilleryError(`image folder ${root}: class folder ${folder} has no .jpg, .jpeg or .png images`, 'root');
    }
    for (const name of names) found.push({ path: join(folder, name), relativePath: `${prefix}${className}/${name}`, label });
  }
  const files: ImageFile[] = [];
  for (let start = 0; start < found.length; start += statConcurrency) {
    const chunk = found.slice(start, start + statConcurrency);
    const stats = await Promise.all(
      chunk.map((file) =>
        stat(file.path).catch((error: NodeJS.ErrnoException) => {
          throw new DistilleryError(`image folder ${root}: cannot read ${file.path} (${error.code ?? error.message})`, 'root');
        }),
      ),
    );
    chunk.forEach((file, k) => {
      const info = stats[k] as { size: number; mtimeMs: number };
      files.push({ ...file, bytes: info.size, mtimeMs: info.mtimeMs });
    });
  }
  return files;
}

/** The entries that are folders, or symbolic links to folders. */
async function foldersAmong(entries: readonly Dirent[], parent: string): Promise<Dirent[]> {
  const isFolder = await Promise.all(
    entries.map(async (entry) =>
      entry.isSymbolicLink()
        ? (await stat(join(parent, entry.name)).catch(() => undefined))?.isDirectory() === true
        : entry.isDirectory(),
    ),
  );
  return entries.filter((_, k) => isFolder[k]);
}

async function listFolder(folder: string, root: string): Promise<Dirent[]> {
  try {
    return await readdir(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'not found' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code})`;
    const subject = folder === root ? `image folder ${root}` : `image folder ${root}: ${folder}`;
    throw new DistilleryError(`${subject} ${what} (${expectedLayout})`, 'root');
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
