import { DistilleryError } from '@distillery/core';
import { ExampleStore } from './ExampleStore.js';
import { parseIdx } from './parseIdx.js';

export interface MnistFromIdxOptions {
  readonly id: string;
  /** Number of classes; every label must be below it. 10 for MNIST and Fashion-MNIST. */
  readonly classes?: number;
  /** Names the images bytes in error messages (a file path); 'MNIST images' when left out. */
  readonly imagesSource?: string;
  readonly labelsSource?: string;
  /** What each class index stands for; '0', '1', … when left out. */
  readonly classNames?: readonly string[];
  /**
   * How the store keeps the pixels: 'float32' (the default) as value / 255; 'uint8' as the bytes
   * themselves with the normalisation mean 0, std 255, which gives batches the same float32 values in
   * [0, 1] for a quarter of the memory (and a store id ending in `+normalize(mean 0; std 255)`).
   */
  readonly storage?: 'float32' | 'uint8';
}

/**
 * An {@link ExampleStore} from the bytes of an MNIST-style pair of IDX files: images [N, H, W] of
 * unsigned bytes become examples [H, W, 1] scaled to [0, 1] (value / 255), labels [N] of unsigned
 * bytes become int32 class indices. The images are converted in one pass into one preallocated
 * Float32Array (or copied as bytes, `storage: 'uint8'`), which becomes the store's only copy; the
 * byte arrays can be dropped afterwards.
 */
export function mnistFromIdx(images: Uint8Array, labels: Uint8Array, options: MnistFromIdxOptions): ExampleStore {
  const imagesSource = options.imagesSource ?? 'MNIST images';
  const labelsSource = options.labelsSource ?? 'MNIST labels';
  const classes = options.classes ?? 10;
  const imageArray = parseIdx(images, { source: imagesSource });
  const labelArray = parseIdx(labels, { source: labelsSource });
  if (imageArray.dtype !== 'uint8' || imageArray.shape.length !== 3) {
    throw new DistilleryError(
      `${imagesSource}: expected unsigned-byte images [N, rows, columns], got ${imageArray.dtype} [${imageArray.shape.join(', ')}]`,
    );
  }
  if (labelArray.dtype !== 'uint8' || labelArray.shape.length !== 1) {
    throw new DistilleryError(
      `${labelsSource}: expected unsigned-byte labels [N], got ${labelArray.dtype} [${labelArray.shape.join(', ')}]`,
    );
  }
  const [count, rows, columns] = imageArray.shape as [number, number, number];
  if (labelArray.shape[0] !== count) {
    throw new DistilleryError(`${imagesSource} holds ${count} images but ${labelsSource} holds ${labelArray.shape[0]} labels`);
  }
  const pixels = imageArray.data;
  const asBytes = options.storage === 'uint8';
  // A copy of the bytes (new Uint8Array copies; a Node Buffer's slice would not), so the store does
  // not keep the whole file's buffer alive, nor see later changes to it.
  const inputs = asBytes ? new Uint8Array(pixels) : new Float32Array(pixels.length);
  if (!asBytes) for (let i = 0; i < pixels.length; i++) inputs[i] = (pixels[i] as number) / 255;
  const classIndices = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labelArray.data[i] as number;
    if (label >= classes) {
      throw new DistilleryError(`${labelsSource}: label ${label} of example ${i} is not a class index below ${classes}`);
    }
    classIndices[i] = label;
  }
  return new ExampleStore({
    id: options.id,
    inputs,
    exampleShape: [rows, columns, 1],
    labels: classIndices,
    numClasses: classes,
    ...(asBytes ? { normalization: { mean: [0], std: [255] } } : {}),
    ...(options.classNames === undefined ? {} : { classNames: options.classNames }),
  });
}
