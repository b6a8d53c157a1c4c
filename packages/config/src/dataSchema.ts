import * as z from 'zod';

const count = z.number().int().positive();

const fractionError = { error: 'expected a number in (0, 1)' };
const seedError = { error: 'expected an integer ≥ 0' };

/**
 * Label noise on the training split only, after validation is held out, so model selection and the test
 * figures see the true labels: a seeded random `Math.round(fraction · n)` of the n training examples have
 * their labels shuffled among themselves, which keeps every class's count (withShuffledLabels in
 * @distillery/data). Zhang et al. 2017 (ICLR, "Understanding deep learning requires rethinking
 * generalization") draw a uniform random class per example with probability p instead; shuffling a subset
 * keeps the class balance. For a teacher trained on partly wrong labels.
 */
const labelNoise = z
  .strictObject({
    /** The share of the training examples whose labels are shuffled, in (0, 1). */
    fraction: z.number(fractionError).gt(0, fractionError).lt(1, fractionError),
    /** Seeds which examples are chosen and how their labels are permuted. */
    seed: z.number(seedError).int(seedError).min(0, seedError).default(0),
  })
  .optional();

/** What CIFAR-10 and CIFAR-100 share. */
const cifarFields = {
  /** The folder holding the archive (relative to the config file); default $DISTILLERY_DATA, else ~/.cache/distillery. */
  dir: z.string().min(1).optional(),
  /** Examples held out of the 50,000 for validation (model selection), taken from the end. */
  validation: count.default(5000),
  /** Use only the first n training examples (quick runs); default all. */
  trainExamples: count.optional(),
  /** Use only the first n of the 10,000 test examples; default all. */
  testExamples: count.optional(),
  /**
   * Normalise each channel with the mean and std of the 50,000 training images, computed when the data is
   * loaded (CIFAR-10's ≈ 125.3, 123.0, 113.9 and 63.0, 62.1, 66.7 on the 0–255 scale); false scales pixels
   * to [0, 1] instead.
   */
  normalize: z.boolean().default(true),
  labelNoise,
};

/** Where the examples come from. Validation examples are held out of the training split. */
export const dataSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('mnist'),
    /** Examples held out of the 60,000 for validation (model selection), taken from the end. */
    validation: count.default(5000),
    /** Use only the first n training examples (quick runs); default all. */
    trainExamples: count.optional(),
    /** Use only the first n of the 10,000 test examples; default all. */
    testExamples: count.optional(),
    labelNoise,
  }),
  z.strictObject({
    /**
     * CIFAR-10 (32×32 colour images of 10 classes; 50,000 training and 10,000 test), read from the official
     * binary archive cifar-10-binary.tar.gz in `dir`, downloaded there when missing.
     */
    source: z.literal('cifar10'),
    ...cifarFields,
  }),
  z.strictObject({
    /** CIFAR-100 (as CIFAR-10, with 100 classes in 20 superclasses), from cifar-100-binary.tar.gz. */
    source: z.literal('cifar100'),
    ...cifarFields,
    /** The 100 fine classes or the 20 coarse superclasses. */
    labels: z.enum(['fine', 'coarse']).default('fine'),
  }),
  z.strictObject({
    /** Fashion-MNIST (Zalando's 28×28 clothing images), from Debian's dataset-fashion-mnist or `dir`. */
    source: z.literal('fashion-mnist'),
    /** The folder holding the IDX files (relative to the config file); default /usr/share/datasets/fashion-mnist, else $DISTILLERY_DATA/fashion-mnist. */
    dir: z.string().min(1).optional(),
    /** Examples held out of the 60,000 for validation (model selection), taken from the end. */
    validation: count.default(5000),
    /** Use only the first n training examples (quick runs); default all. */
    trainExamples: count.optional(),
    /** Use only the first n of the 10,000 test examples; default all. */
    testExamples: count.optional(),
    labelNoise,
  }),
  z.strictObject({
    source: z.literal('csv'),
    /** Relative to the config file. */
    path: z.string().min(1),
    /** A separate test file; without it the test split comes from `path`. */
    testPath: z.string().min(1).optional(),
    labelColumn: z.string().min(1),
    /** Default: every other column. */
    featureColumns: z.array(z.string().min(1)).min(1).optional(),
    /** Scale each feature to zero mean and unit variance using training statistics. */
    standardize: z.boolean().default(true),
    validation: count.default(100),
    test: count.default(100),
    labelNoise,
  }),
  z.strictObject({
    source: z.literal('synthetic'),
    examples: count.default(1200),
    features: count.default(16),
    classes: z.number().int().min(2).default(4),
    noise: z.number().positive().default(1),
    /** Seeds the class centres and noise; the same seed gives the same data. */
    seed: z.number().int().min(0).default(0),
    /** Reshape each example, e.g. [4, 4, 1] for conv nets; its product must equal `features`. */
    shape: z.array(count).min(1).optional(),
    validation: count.default(200),
    test: count.default(200),
    labelNoise,
  }),
  z.strictObject({
    source: z.literal('image-folder'),
    /** Relative to the config file: root/<class>/*.jpg|png, or root/train/<class>/ and root/test/<class>/. */
    root: z.string().min(1),
    /** [height, width] every image is stretched to. */
    size: z.tuple([count, count]).default([32, 32]),
    /** Only for a root without train/ and test/: the fraction of each class's images to test on. */
    split: z.strictObject({ test: z.number().gt(0).lt(1) }).optional(),
    /** Training images held out for validation, chosen at random (seeded). */
    validation: count.default(5000),
    /** Normalise each channel with the training images' mean and std. */
    normalize: z.boolean().default(true),
    /** Where decoded images are cached (relative to the config file); default $DISTILLERY_DATA/image-cache or ~/.cache/distillery/image-cache. */
    cacheDir: z.string().min(1).optional(),
    labelNoise,
  }),
]);
