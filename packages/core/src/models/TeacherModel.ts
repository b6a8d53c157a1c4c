import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ForwardModel } from './ForwardModel.js';

/** What a teacher can be: a tfjs LayersModel (trained here, from the zoo or a file), or a model only run forward. */
export type TeacherModel = LayersModel | ForwardModel;
