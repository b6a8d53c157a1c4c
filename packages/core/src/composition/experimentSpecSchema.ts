import * as tfl from '@tensorflow/tfjs-layers';
import * as z from 'zod';
import { backendPreferenceSchema } from '../backends/backendPreferenceSchema.js';
import { isForwardModel } from '../models/isForwardModel.js';
import type { TeacherModel } from '../models/TeacherModel.js';
import { strategySpecSchema } from '../strategy/strategySpecSchema.js';
import type { TeacherOutputStoreFactory } from '../teachers/TeacherOutputStoreFactory.js';
import { trainingOptionsSchema } from '../training/trainingOptionsSchema.js';

const layersModel = z.custom<tfl.LayersModel>((value) => value instanceof tfl.LayersModel, {
  error: 'expected a tf.LayersModel',
});
/** A teacher's model: a LayersModel, or a ForwardModel with everything the kernel calls on one. */
const teacherModel = z.custom<TeacherModel>(
  (value) =>
    value instanceof tfl.LayersModel ||
    (isForwardModel(value) &&
      typeof value.predict === 'function' &&
      typeof value.fingerprint === 'function' &&
      typeof value.dispose === 'function' &&
      Number.isInteger(value.numClasses) &&
      Array.isArray(value.inputShape) &&
      typeof value.featureShapes === 'object'),
  { error: 'expected a tf.LayersModel or a ForwardModel (predict, fingerprint, dispose, numClasses, inputShape, featureShapes)' },
);
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
const teacherOutputStores = z.custom<TeacherOutputStoreFactory>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { find?: unknown }).find === 'function' &&
    typeof (value as { create?: unknown }).create === 'function',
  { error: 'expected a TeacherOutputStoreFactory with find() and create()' },
);
const name = z.string().regex(/^[\w.-]+$/, { error: 'expected a name of letters, digits, _ . or -' });

/** Validates an experiment as given to `composeExperiment`. */
export const experimentSpecSchema = z.strictObject({
  teachers: z
    .array(
      z.strictObject({
        name,
        model: teacherModel,
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
  student: z.strictObject({
    name: name.default('student'),
    model: layersModel,
    /** `false`: the student is fixed (inference mode) and only strategy variables train; see {@link Student}. */
    trainable: z.boolean().default(true),
  }),
  /** Models trained together with the student (online distillation); each learns from its own initialisation. */
  peers: z
    .array(z.strictObject({ name, model: layersModel }))
    .default([])
    .check((context) => {
      const seen = new Set<string>();
      context.value.forEach((peer, i) => {
        if (seen.has(peer.name)) {
          context.issues.push({
            code: 'custom',
            input: peer.name,
            path: [i, 'name'],
            message: `peer name '${peer.name}' is used twice`,
          });
        }
        seen.add(peer.name);
      });
    }),
  strategies: z.array(strategySpecSchema).min(1, { error: 'expected at least one strategy, e.g. { key: "task.ce" }' }),
  training: trainingOptionsSchema.default(trainingOptionsSchema.parse({})),
  backend: backendPreferenceSchema.default('auto'),
  plugins: z.array(containerModule).default([]),
  logger: logger.optional(),
  /** Where teacher-output caches larger than the memory budget go (Node: `fileTeacherOutputStores(dir)`). */
  teacherOutputStores: teacherOutputStores.optional(),
});
