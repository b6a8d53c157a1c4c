import { type FileHandle, open } from 'node:fs/promises';
import type { DecodedImageFolder, SkippedImage } from './DecodedImageFolder.js';
import { imageCacheFormat } from './imageCacheFormat.js';

/** What the cache file must hold to be used: the folder as it is now, at the size asked for. */
export interface ExpectedImageCache {
  readonly key: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classNames: readonly string[];
}

/**
 * Reads an image-folder cache written by writeImageCache. Undefined when there is no file;
 * throws an Error whose message says what is wrong (one line) when the file is there but is not
 * exactly the cache expected: wrong magic or version, another key, size or class list, a size that
 * does not match the header, a label out of range. The pixels are read straight into their array.
 */
export async function readImageCache(path: string, expected: ExpectedImageCache): Promise<DecodedImageFolder | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    // No file, or no folder on the way (a file where the cache folder should be): nothing cached.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    const fileBytes = (await handle.stat()).size;
    const preamble = await readExactly(handle, 0, imageCacheFormat.preambleBytes, fileBytes);
    if (new TextDecoder().decode(preamble.subarray(0, 8)) !== imageCacheFormat.magic) {
      throw new Error('it does not start with the image cache magic');
    }
    const headerBytes = new DataView(preamble.buffer, preamble.byteOffset).getUint32(8, true);
    if (headerBytes > imageCacheFormat.maxHeaderBytes) throw new Error(`header length ${headerBytes} is implausible`);
    const header = parseHeader(await readExactly(handle, imageCacheFormat.preambleBytes, headerBytes, fileBytes));
    checkHeader(header, expected);
    const labelsAt = imageCacheFormat.alignTo4(imageCacheFormat.preambleBytes + headerBytes);
    const pixelsAt = labelsAt + header.count * 4;
    const pixelBytes = header.count * header.height * header.width * header.channels;
    if (fileBytes !== pixelsAt + pixelBytes) {
      throw new Error(`${fileBytes} bytes, the header says ${pixelsAt + pixelBytes}`);
    }
    const labelBytes = await readExactly(handle, labelsAt, header.count * 4, fileBytes);
    const view = new DataView(labelBytes.buffer, labelBytes.byteOffset, labelBytes.byteLength);
    const labels = new Int32Array(header.count);
    for (let i = 0; i < header.count; i++) {
      const label = view.getInt32(4 * i, true);
      if (label < 0 || label >= expected.classNames.length) throw new Error(`label ${label} of image ${i} is out of range`);
      labels[i] = label;
    }
    const pixels = await readExactly(handle, pixelsAt, pixelBytes, fileBytes);
    return { ...header, classNames: expected.classNames, pixels, labels };
  } finally {
    await handle.close();
  }
}

interface CacheHeader {
  readonly version: number;
  readonly key: string;
  readonly count: number;
  readonly trainCount: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classNames: readonly string[];
  readonly skipped: readonly SkippedImage[];
}

function parseHeader(bytes: Uint8Array): CacheHeader {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new Error('its header is not JSON');
  }
  if (typeof header !== 'object' || header === null) throw new Error('its header is not an object');
  const fields = header as Record<string, unknown>;
  const counts = ['version', 'count', 'trainCount', 'height', 'width', 'channels'] as const;
  for (const name of counts) {
    const value = fields[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw new Error(`header field ${name} is not a count`);
  }
  const skippedOk =
    Array.isArray(fields.skipped) &&
    fields.skipped.every(
      (entry: unknown) =>
        typeof (entry as SkippedImage | null)?.relativePath === 'string' && typeof (entry as SkippedImage).reason === 'string',
    );
  if (typeof fields.key !== 'string' || !Array.isArray(fields.classNames) || !skippedOk) {
    throw new Error('its header lacks key, classNames or skipped');
  }
  return header as CacheHeader;
}

function checkHeader(header: CacheHeader, expected: ExpectedImageCache): void {
  if (header.version !== imageCacheFormat.version)
    throw new Error(`format version ${header.version}, expected ${imageCacheFormat.version}`);
  if (header.key !== expected.key) throw new Error('it was written for other images (its key differs)');
  if (header.height !== expected.height || header.width !== expected.width || header.channels !== expected.channels) {
    throw new Error(
      `images of ${header.height}×${header.width}×${header.channels}, expected ${expected.height}×${expected.width}×${expected.channels}`,
    );
  }
  const sameClasses =
    header.classNames.length === expected.classNames.length &&
    header.classNames.every((name, c) => name === expected.classNames[c]);
  if (!sameClasses) throw new Error('its class names differ from the folder');
  if (header.trainCount > header.count) throw new Error(`trainCount ${header.trainCount} exceeds count ${header.count}`);
}

/** `length` bytes from `position`, or an Error when the file ends first. */
async function readExactly(handle: FileHandle, position: number, length: number, fileBytes: number): Promise<Uint8Array> {
  if (position + length > fileBytes) throw new Error(`it ends at byte ${fileBytes}, before byte ${position + length}`);
  const bytes = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    // A single read is capped near 2 GiB; larger caches take several.
    const { bytesRead } = await handle.read(bytes, done, Math.min(length - done, 1 << 30), position + done);
    if (bytesRead === 0) throw new Error(`it ends early, at byte ${position + done}`);
    done += bytesRead;
  }
  return bytes;
}
