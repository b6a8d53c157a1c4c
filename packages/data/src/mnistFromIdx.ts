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
}

/**
 * An {@link ExampleStore} from the bytes of an MNIST-style pair of IDX files: images [N, H, W] of
 * unsigned bytes become float32 [N, H, W, 1] scaled to [0, 1] (value / 255), labels [N] of unsigned
 * bytes become int32 class indices. The images are converted in one pass into one preallocated
 * Float32Array, which becomes the store's only copy; the byte arrays can be dropped afterwards.
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
  const inputs = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) inputs[i] = (pixels[i] as number) / 255;
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
  });
}
