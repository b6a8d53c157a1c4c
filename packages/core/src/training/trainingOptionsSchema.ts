import * as z from 'zod';

const positive = z.number().positive();
/** Adam's bias correction divides by 1 − β^t, so β = 1 is refused. */
const decayRate = z.number().min(0).lt(1);
/**
 * L2 weight decay as PyTorch's optimizers take it (`weight_decay`): before the optimizer sees a gradient,
 * g ← g + weightDecay · θ, so with momentum or Adam the decay passes through the moments (this is L2
 * regularisation, not AdamW's decoupled θ ← θ − lr · λ · θ). Only kernels are decayed (conv, depthwise,
 * pointwise and dense kernels, and strategies' adapter kernels): never biases, batch-norm γ and β, or any
 * 1-D variable (see addWeightDecay for how that differs from the PyTorch CIFAR code). The CIFAR
 * distillation recipes use 5e-4 with SGD (He et al. 2016 used 1e-4). Left out, there is none; it has no
 * default value so that configs without it keep the stage fingerprints they had before it existed.
 */
const weightDecay = z.number().min(0).optional();

const adam = z.strictObject({
  name: z.literal('adam'),
  learningRate: positive.default(1e-3),
  beta1: decayRate.default(0.9),
  beta2: decayRate.default(0.999),
  epsilon: positive.default(1e-7),
  weightDecay,
});
const sgd = z.strictObject({
  name: z.literal('sgd'),
  learningRate: positive.default(0.01),
  momentum: decayRate.default(0),
  nesterov: z.boolean().default(false),
  weightDecay,
});
const rmsprop = z.strictObject({
  name: z.literal('rmsprop'),
  learningRate: positive.default(1e-3),
  decay: decayRate.default(0.9),
  momentum: decayRate.default(0),
  epsilon: positive.default(1e-7),
  weightDecay,
});

const constant = z.strictObject({ type: z.literal('constant') });
const step = z.strictObject({
  type: z.literal('step'),
  /** Multiply the rate by `gamma` every `everyEpochs` epochs. */
  everyEpochs: z.number().int().positive(),
  gamma: z.number().positive().max(1).default(0.1),
});
const multistep = z.strictObject({
  type: z.literal('multistep'),
  /**
   * PyTorch's MultiStepLR: the rate is multiplied by `gamma` at the start of each of these epochs, so in
   * epoch e it is learningRate · gamma^(number of milestones ≤ e). The CIFAR recipes: [150, 180, 210] of 240.
   */
  milestones: z
    .array(z.number().int().positive())
    .min(1)
    .refine((epochs) => epochs.every((epoch, i) => i === 0 || epoch > (epochs[i - 1] as number)), {
      message: 'expected epochs in increasing order',
    }),
  gamma: z.number().positive().max(1).default(0.1),
});
const cosine = z.strictObject({
  type: z.literal('cosine'),
  /** Floor reached at the last step. */
  minLearningRate: z.number().min(0).default(0),
});

const teacherCache = z
  .strictObject({
    /** Compute each frozen teacher's outputs once per training example and read them back afterwards. */
    enabled: z.boolean().default(true),
    /** Up to this many MiB the cache lives in memory; beyond it, in the disk store if there is one, else it is off. */
    memoryBudgetMB: positive.default(1024),
    /** float16 halves the cache (relative error ≤ 2⁻¹¹ per value); float32 reproduces uncached training exactly. */
    precision: z.enum(['float32', 'float16']).default('float32'),
    /**
     * With randomly augmented training data a teacher sees a different input every epoch, so one cache for the
     * whole run would serve stale outputs: 'bypass' turns the cache off (and says so); 'unaugmented' caches the
     * teachers' outputs on the un-augmented inputs while the student still sees augmented ones; 'per-epoch' keeps
     * the outputs on each epoch's augmented batches in the disk store, under a key that adds the seed, batch size
     * and epoch, so that later runs on the same data, seed and batch size with the same teachers (the rows of a
     * method table, the points of a sweep) read them instead of running the teachers. Nothing is reused within a
     * run: the first such run pays the teachers' passes, as without a cache.
     */
    augmentedData: z.enum(['bypass', 'unaugmented', 'per-epoch']).default('bypass'),
    /**
     * With augmentedData 'per-epoch': the most the caches of one run (every epoch's) may take on disk, default
     * 8192; beyond it the cache is off. Tapped feature maps of every augmented image of every epoch add up fast.
     * No schema default: a filled-in field would change every stage's fingerprint (they hash the parsed training
     * options), and with it the checkpoints and stored stages of runs made before it existed.
     */
    diskBudgetMB: positive.optional(),
  })
  .refine((cache) => cache.augmentedData !== 'per-epoch' || cache.precision === 'float32', {
    // The run that computes the outputs trains on them unrounded; later runs must read exactly the same values.
    error: 'per-epoch caches are float32, so that runs reading them see exactly what the run that computed them saw',
    path: ['precision'],
  });

/** Validates and fills defaults for the training section of an experiment. */
export const trainingOptionsSchema = z.strictObject({
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(32),
  /** Seeds shuffling and any strategy randomness; model initialisation is the model builder's. */
  seed: z.number().int().min(0).default(0),
  shuffle: z.boolean().default(true),
  optimizer: z.discriminatedUnion('name', [adam, sgd, rmsprop]).default({
    name: 'adam',
    learningRate: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-7,
  }),
  schedule: z.discriminatedUnion('type', [constant, step, multistep, cosine]).default({ type: 'constant' }),
  /** Linear warm-up from 0 to the scheduled rate over this many epochs, counted in steps. */
  warmupEpochs: z.number().min(0).default(0),
  /** Rescale gradients whose global L2 norm exceeds this. */
  clipGradNorm: z.number().positive().optional(),
  /**
   * A NaN or infinite loss: 'stop' ends training with an error naming the term, epoch and step, before
   * the update reaches the weights; 'skip-batch' drops that batch's update (logged) and goes on.
   */
  onNonFinite: z.enum(['stop', 'skip-batch']).default('stop'),
  teacherCache: teacherCache.default({
    enabled: true,
    memoryBudgetMB: 1024,
    precision: 'float32',
    augmentedData: 'bypass',
  }),
});
