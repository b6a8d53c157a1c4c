/**
 * The layout of an image-folder cache file, shared by writeImageCache and readImageCache:
 *   'DSTIMGC1' | uint32 LE header length | UTF-8 JSON header | zero padding to a multiple of 4 |
 *   labels (int32 LE, one per image) | pixels (uint8, NHWC, count × height × width × channels).
 * The header holds version, key, count, trainCount, height, width, channels, classNames and skipped.
 * `version` enters the cache key too: a loader that decodes differently writes under new keys.
 */
export const imageCacheFormat = {
  magic: 'DSTIMGC1',
  version: 1,
  preambleBytes: 12,
  /** A header larger than this is not a header (it would mean millions of skipped files). */
  maxHeaderBytes: 64 * 1024 * 1024,
  alignTo4: (offset: number): number => Math.ceil(offset / 4) * 4,
} as const;
