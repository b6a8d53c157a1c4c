import { z } from 'zod';

const count = z.number().int().positive();

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
  }),
]);
