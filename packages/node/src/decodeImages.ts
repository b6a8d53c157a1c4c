import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { SkippedImage } from './DecodedImageFolder.js';
import type { ImageFile } from './scanImageFolder.js';

export interface DecodeImagesOptions {
  /** Images in flight at once (sharp queues them on libuv's thread pool); default 64. */
  readonly concurrency?: number;
  /** Called after each image, decoded or skipped. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface DecodedImages {
  /** The images that decoded, in the order of the files: count × height × width × 3 bytes. */
  readonly pixels: Uint8Array;
  /** The label of each decoded image. */
  readonly labels: Int32Array;
  /** Whether files[i] decoded. */
  readonly decoded: Uint8Array;
  readonly skipped: readonly SkippedImage[];
}

/**
 * Decodes JPEG and PNG files with sharp into one NHWC RGB Uint8Array of `size` = [height, width]
 * images. Each image is stretched to exactly that size (fit 'fill', no cropping, like
 * torchvision's Resize((h, w))); an image already that size is not resampled, so its pixels come
 * out exactly as stored. Alpha is dropped (sharp resizes in premultiplied alpha, so a partly
 * transparent pixel of a resized image can be one step off its stored colour) and grey images are
 * expanded to three equal channels. A file sharp cannot decode (corrupt, truncated, not an image)
 * is left out and reported in `skipped` with sharp's reason; the others are packed in file order.
 */
export async function decodeImages(
  files: readonly ImageFile[],
  size: readonly [number, number],
  options: DecodeImagesOptions = {},
): Promise<DecodedImages> {
  const [height, width] = size;
  const imageBytes = height * width * 3;
  const pixels = new Uint8Array(files.length * imageBytes);
  const decoded = new Uint8Array(files.length);
  const reasons = new Map<number, string>();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const file = files[index] as ImageFile;
      try {
        // Reading the file here and handing sharp the bytes costs about a third less CPU time than
        // letting libvips open small files itself.
        const { data, info } = await sharp(await readFile(file.path))
          .resize(width, height, { fit: 'fill' })
          .removeAlpha()
          .toColourspace('srgb')
          .raw({ depth: 'uchar' })
          .toBuffer({ resolveWithObject: true });
        if (info.width !== width || info.height !== height || info.channels !== 3 || data.length !== imageBytes) {
          reasons.set(index, `decoded to ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`);
        } else {
          pixels.set(data, index * imageBytes);
          decoded[index] = 1;
        }
      } catch (error) {
        reasons.set(index, firstLine(error));
      }
      done++;
      options.onProgress?.(done, files.length);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 64, files.length));
  await Promise.all(Array.from({ length: workers }, worker));

  const labels = new Int32Array(files.length - reasons.size);
  let kept = 0;
  for (let index = 0; index < files.length; index++) {
    if (decoded[index] === 0) continue;
    if (kept !== index) pixels.copyWithin(kept * imageBytes, index * imageBytes, (index + 1) * imageBytes);
    labels[kept++] = (files[index] as ImageFile).label;
  }
  const skipped = [...reasons.keys()]
    .sort((a, b) => a - b)
    .map((index) => ({ relativePath: (files[index] as ImageFile).relativePath, reason: reasons.get(index) as string }));
  return { pixels: pixels.subarray(0, kept * imageBytes), labels, decoded, skipped };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] as string).trim();
}
