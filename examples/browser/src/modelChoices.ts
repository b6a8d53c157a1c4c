import type { modelSchema } from '@distillery/config';
import { zooModels } from '@distillery/zoo';
import type * as z from 'zod';

export interface ModelChoice {
  readonly value: string;
  readonly label: string;
  readonly config: z.input<typeof modelSchema>;
}

const zooChoices: ModelChoice[] = zooModels.map(({ key, description, parameters }) => ({
  value: key,
  label: `${key}: ${description.split(' (')[0]} (${(parameters(10) / 1e6).toFixed(2)}M)`,
  config: { type: 'zoo', name: key },
}));

/**
 * Students come from the zoo. LeNet-5 is the default: the one zoo net that trains at a usable speed without a GPU
 * (ResNet-8 costs 40 times its multiply-adds an image); the CIFAR nets take 28×28 digits too, on a GPU.
 */
export const studentChoices: readonly ModelChoice[] = [
  ...zooChoices.filter((choice) => choice.value === 'lenet5'),
  ...zooChoices.filter((choice) => choice.value !== 'lenet5'),
];

/** Teachers trained on the page: the config's small nets (a CNN is the default), then the zoo. */
export const teacherChoices: readonly ModelChoice[] = [
  {
    value: 'cnn-16-32',
    label: 'CNN: 3×3 convs of 16 and 32 filters, dense 64 (0.11M)',
    config: { type: 'cnn', channels: [16, 32], dense: 64 },
  },
  {
    value: 'cnn-32-64',
    label: 'CNN: 3×3 convs of 32 and 64 filters, dense 128 (0.42M)',
    config: { type: 'cnn', channels: [32, 64], dense: 128 },
  },
  {
    value: 'mlp-1200',
    label: 'MLP 784-1200-1200, dropout 0.5 (Hinton 2015’s MNIST teacher, 2.4M)',
    config: { type: 'mlp', hidden: [1200, 1200], dropout: 0.5, inputDropout: 0.2 },
  },
  ...zooChoices,
];
