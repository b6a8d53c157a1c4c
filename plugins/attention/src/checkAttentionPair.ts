import { DistilleryError, type SymbolicShape } from '@distillery/core';
import { describeResizeProblem } from './describeResizeProblem.js';
import type { ResizeMethod } from './ResizeMethod.js';
import { spatialSize } from './spatialSize.js';

/** One layer of a pair as {@link checkAttentionPair} sees it: its static shape, and how errors name it. */
interface PairLayer {
  readonly shape: SymbolicShape | undefined;
  /** Where the layer stands in the config (`strategies[1].options.pairs[0].student`). */
  readonly field: string;
  /** The layer as the message names it (`student layer 's_conv1'`). */
  readonly what: string;
}

/**
 * Checks, from the tapped static shapes and before training, that a layer pair can be compared by attention
 * maps: both layers output NHWC feature maps, and `resize` can bring their H×W to one (sizes the model leaves
 * open are checked on the batch instead). A wrong layer choice so fails at once, not on the first batch,
 * with a one-line {@link DistilleryError} naming the field.
 *
 * @param where the pair's place in the config (`strategies[1].options.pairs[0]`)
 */
export function checkAttentionPair(where: string, student: PairLayer, teacher: PairLayer, resize: ResizeMethod): void {
  const studentSize = spatialSize(student.shape, student.field, student.what);
  const teacherSize = spatialSize(teacher.shape, teacher.field, teacher.what);
  if (studentSize === undefined || teacherSize === undefined) return;
  const problem = describeResizeProblem(studentSize, teacherSize, resize);
  if (problem !== undefined) throw new DistilleryError(`${where}: ${problem}`, where);
}
