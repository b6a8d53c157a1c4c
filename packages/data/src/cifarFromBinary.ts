import { DistilleryError } from '@distillery/core';
import type { CifarBinaryFile } from './CifarBinaryFile.js';
import { ExampleStore } from './ExampleStore.js';

export interface CifarFromBinaryOptions {
  readonly id: string;
  readonly variant: 'cifar10' | 'cifar100';
  /**
   * The split's record files in order: CIFAR-10's data_batch_1.bin … data_batch_5.bin (train) or
   * test_batch.bin; CIFAR-100's train.bin or test.bin.
   */
  readonly batches: readonly CifarBinaryFile[];
  /**
   * The class names file, one name a line: CIFAR-10's batches.meta.txt; CIFAR-100's fine_label_names.txt
   * or coarse_label_names.txt, whichever `label` picks.
   */
  readonly classNames: { readonly name: string; readonly text: string };
  /** Which CIFAR-100 label to learn: 'fine' (100 classes, the default) or 'coarse' (20 superclasses). */
  readonly label?: 'fine' | 'coarse';
}

const side = 32;
const channels = 3;
const pixels = side * side;
const imageBytes = channels * pixels;

/**
 * An {@link ExampleStore} from the binary version of CIFAR-10 or CIFAR-100 (Krizhevsky 2009,
 * https://www.cs.toronto.edu/~kriz/cifar.html). Each record is the label byte(s) — CIFAR-10: the
 * class; CIFAR-100: the coarse then the fine class — and 3072 pixel bytes: the red, green and blue
 * planes of a 32×32 image, each row by row. The store keeps them as bytes in NHWC order (examples
 * [32, 32, 3], 3072 bytes each), without normalisation (see ExampleStore.withNormalization), and the
 * class names of the archive. A file that is not whole records, a label outside the classes or a
 * names file with the wrong number of names is a one-line DistilleryError naming the file.
 */
export function cifarFromBinary(options: CifarFromBinaryOptions): ExampleStore {
  const { variant, batches } = options;
  const label = options.label ?? 'fine';
  const title = variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100';
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  // CIFAR-100 records hold the coarse label first, then the fine one.
  const labelOffset = variant === 'cifar100' && label === 'fine' ? 1 : 0;
  const classes = variant === 'cifar10' ? 10 : label === 'fine' ? 100 : 20;
  const recordBytes = labelBytes + imageBytes;
  if (batches.length === 0) throw new DistilleryError(`${title} ${options.id}: no record files given`);

  let records = 0;
  for (const { name, bytes } of batches) {
    if (bytes.length === 0 || bytes.length % recordBytes !== 0) {
      const layout = labelBytes === 1 ? '1 label byte' : '2 label bytes (coarse, fine)';
      throw new DistilleryError(
        `${name}: ${bytes.length} bytes is not a whole number of ${title} records of ${recordBytes} bytes (${layout} + ${imageBytes} pixel bytes); the file is damaged`,
      );
    }
    records += bytes.length / recordBytes;
  }

  const inputs = new Uint8Array(records * imageBytes);
  const labels = new Int32Array(records);
  let example = 0;
  for (const { name, bytes } of batches) {
    for (let record = 0; record * recordBytes < bytes.length; record++, example++) {
      const start = record * recordBytes;
      const value = bytes[start + labelOffset] as number;
      if (value >= classes) {
        const which = variant === 'cifar10' ? 'label' : `${label} label`;
        throw new DistilleryError(
          `${name}: record ${record} has ${which} ${value}, but ${title} has ${classes} ${label === 'coarse' && variant === 'cifar100' ? 'superclasses' : 'classes'} (0–${classes - 1}); the file is damaged`,
        );
      }
      labels[example] = value;
      // Planes R, G, B of 1024 pixels each become pixels of (R, G, B), written in order.
      const red = start + labelBytes;
      for (let p = 0, target = example * imageBytes; p < pixels; p++, target += channels) {
        inputs[target] = bytes[red + p] as number;
        inputs[target + 1] = bytes[red + pixels + p] as number;
        inputs[target + 2] = bytes[red + 2 * pixels + p] as number;
      }
    }
  }

  return new ExampleStore({
    id: options.id,
    inputs,
    exampleShape: [side, side, channels],
    labels,
    numClasses: classes,
    classNames: classNamesFrom(options.classNames, classes),
  });
}

/** The non-empty lines of a names file; batches.meta.txt ends in blank lines. */
function classNamesFrom(file: { readonly name: string; readonly text: string }, classes: number): string[] {
  const names = file.text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (names.length !== classes) {
    throw new DistilleryError(`${file.name}: expected ${classes} class names, one a line, found ${names.length}`);
  }
  return names;
}
