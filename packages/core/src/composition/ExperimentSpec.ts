import type * as z from 'zod';
import type { experimentSpecSchema } from './experimentSpecSchema.js';

/**
 * An experiment as a plain object: models, strategies by key with weight and options, training
 * options, backend, and the plugin ContainerModules that provide the strategies.
 */
export type ExperimentSpec = z.input<typeof experimentSpecSchema>;
