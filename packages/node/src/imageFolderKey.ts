import { createHash } from 'node:crypto';
import { imageCacheFormat } from './imageCacheFormat.js';
import type { ImageFolderListing } from './scanImageFolder.js';

/**
 * The image cache key (SHA-256, hex) of a listing at a target size: every file's relative path,
 * size and modification time in listing order, the size, and the cache format version. Editing,
 * adding, removing or renaming an image, or asking for another size, gives another key.
 */
export function imageFolderKey(listing: ImageFolderListing, size: readonly [number, number]): string {
  const hash = createHash('sha256');
  hash.update(`distillery image folder, format ${imageCacheFormat.version}, ${size[0]}x${size[1]}x3, ${listing.layout}\n`);
  for (const file of listing.files) hash.update(`${file.relativePath}\t${file.bytes}\t${file.mtimeMs}\n`);
  return hash.digest('hex');
}
