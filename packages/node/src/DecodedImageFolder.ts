/** An image that could not be used, and why: one warning line each. */
export interface SkippedImage {
  /** Relative to the image folder's root: `train/cat/0007.jpg`. */
  readonly relativePath: string;
  /** The decoder's reason, one line. */
  readonly reason: string;
}

/**
 * An image folder decoded to raw pixels: what the image cache stores, and what loadImageFolder
 * builds its ExampleStore from. Examples are in listing order: the training images, then the test
 * images, each class by class.
 */
export interface DecodedImageFolder {
  /** The cache key: the folder's listing (paths, sizes, modification times), the target size and the format version. */
  readonly key: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classNames: readonly string[];
  /** The first `trainCount` examples are training images. */
  readonly trainCount: number;
  /** count × height × width × channels bytes, NHWC, RGB, 0–255. */
  readonly pixels: Uint8Array;
  /** One class index per example. */
  readonly labels: Int32Array;
  /** Images left out because they could not be decoded. */
  readonly skipped: readonly SkippedImage[];
}
