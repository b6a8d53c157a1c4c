import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { trainingOptionsSchema } from './trainingOptionsSchema.js';

const layersModel = z.custom<tfl.LayersModel>((value) => value instanceof tfl.LayersModel, {
  error: 'expected a tf.LayersModel',
});
const containerModule = z.custom<{ id: number; load: (...args: never[]) => unknown }>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { load?: unknown }).load === 'function' &&
    typeof (value as { id?: unknown }).id === 'number',
  { error: 'expected an InversifyJS ContainerModule' },
);
const logger = z.custom<{ info: (m: string) => void; warn: (m: string) => void }>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { info?: unknown }).info === 'function' &&
    typeof (value as { warn?: unknown }).warn === 'function',
  { error: 'expected a Logger with info() and warn()' },
);
const name = z.string().regex(/^[\w.-]+$/, { error: 'expected a name of letters, digits, _ . or -' });

/** Validates an experiment as given to `composeExperiment`. */
export const experimentSpecSchema = z.strictObject({
  teachers: z
    .array(
      z.strictObject({
        name,
        model: layersModel,
        /** Teachers are always frozen; `true` is accepted with a warning so nothing trains by surprise. */
        trainable: z.boolean().optional(),
      }),
    )
    .default([])
    .check((context) => {
      const seen = new Set<string>();
      context.value.forEach((teacher, i) => {
        if (seen.has(teacher.name)) {
          context.issues.push({
            code: 'custom',
            input: teacher.name,
            path: [i, 'name'],
            message: `teacher name '${teacher.name}' is used twice`,
          });
        }
        seen.add(teacher.name);
      });
    }),
  student: z.strictObject({ name: name.default('student'), model: layersModel }),
  strategies: z
    .array(
      z
        .strictObject({
          key: z.string().min(1, { error: 'expected a strategy key such as task.ce' }),
          weight: z
            .number({ error: 'expected a finite number ≥ 0' })
            .min(0, { error: 'expected a finite number ≥ 0' })
            .default(1),
          options: z.unknown().optional(),
          name: name.optional(),
          from: z.number().int().min(0).optional(),
          until: z.number().int().min(1).optional(),
        })
        .refine((spec) => spec.until === undefined || spec.until > (spec.from ?? 0), {
          error: 'expected until > from (epochs, zero-based, until exclusive)',
          path: ['until'],
        }),
    )
    .min(1, { error: 'expected at least one strategy, e.g. { key: "task.ce" }' }),
  training: trainingOptionsSchema.default(trainingOptionsSchema.parse({})),
  backend: z.enum(['auto', 'tensorflow', 'native', 'webgpu', 'webgl', 'wasm', 'cpu']).default('auto'),
  plugins: z.array(containerModule).default([]),
  logger: logger.optional(),
});
