import type { DecodedImageFolder } from './DecodedImageFolder.js';
import { imageCacheFormat } from './imageCacheFormat.js';
import { writeFileAtomic } from './writeFileAtomic.js';

/**
 * Writes a decoded image folder to `path` in {@link imageCacheFormat}, atomically (a reader finds
 * the old file, the whole new one or none). The pixels are written from where they lie, not copied.
 */
export async function writeImageCache(path: string, folder: DecodedImageFolder): Promise<void> {
  const { key, height, width, channels, classNames, trainCount, pixels, labels, skipped } = folder;
  const header = new TextEncoder().encode(
    JSON.stringify({
      version: imageCacheFormat.version,
      key,
      count: labels.length,
      trainCount,
      height,
      width,
      channels,
      classNames,
      skipped,
    }),
  );
  const start = new Uint8Array(imageCacheFormat.alignTo4(imageCacheFormat.preambleBytes + header.length));
  start.set(new TextEncoder().encode(imageCacheFormat.magic), 0);
  new DataView(start.buffer).setUint32(8, header.length, true);
  start.set(header, imageCacheFormat.preambleBytes);
  const labelBytes = new Uint8Array(labels.length * 4);
  const view = new DataView(labelBytes.buffer);
  for (let i = 0; i < labels.length; i++) view.setInt32(4 * i, labels[i] as number, true);
  await writeFileAtomic(path, [start, labelBytes, pixels]);
}
