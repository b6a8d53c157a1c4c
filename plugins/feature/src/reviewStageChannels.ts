import { DistilleryError, type SymbolicShape, type TapShapes } from '@distillery/core';
import type { ReviewPair } from './ReviewPair.js';

/**
 * Checks the tapped shapes of `feature.review`'s stages and returns each stage's channels, student (C_in) and
 * teacher (C_out), shallow → deep. A stage output is an NHWC map [B, H, W, C], or a vector [B, C] taken as a 1×1
 * map (the reference's deepest level is the pooled feature). Both sides of a pair must have the same H×W, where
 * the models fix it, since HCL compares the review output with the teacher's map as it is; the channels must be
 * known. Each refusal is one line naming the pair (`${path}.pairs[p]`), the layers and their shapes.
 */
export function reviewStageChannels(
  pairs: readonly ReviewPair[],
  shapes: TapShapes,
  path: string,
): { inChannels: number; outChannels: number }[] {
  return pairs.map((pair, index) => {
    const where = `${path}.pairs[${index}]`;
    const studentShape = shapes.student[pair.student];
    const teacherShape = shapes.teachers[pair.teacher]?.[pair.teacherLayer];
    if (studentShape === undefined || teacherShape === undefined) {
      throw new DistilleryError(`${where}: the kernel gave no shape for a tapped layer`, where);
    }
    const student = `student layer '${pair.student}' ${describeShape(studentShape)}`;
    const teacher = `teacher '${pair.teacher}' layer '${pair.teacherLayer}' ${describeShape(teacherShape)}`;
    for (const [shape, label] of [
      [studentShape, student],
      [teacherShape, teacher],
    ] as const) {
      if (shape.length !== 4 && shape.length !== 2) {
        throw new DistilleryError(`${where}: ${label} is neither an NHWC map [B, H, W, C] nor a vector [B, C]`, where);
      }
      if (typeof shape[shape.length - 1] !== 'number') {
        throw new DistilleryError(`${where}: ${label} has no fixed channel count to size the fusion module`, where);
      }
    }
    const [studentHeight, studentWidth] = spatialSize(studentShape);
    const [teacherHeight, teacherWidth] = spatialSize(teacherShape);
    const differ = (a: number | null, b: number | null) => a !== null && b !== null && a !== b;
    if (differ(studentHeight, teacherHeight) || differ(studentWidth, teacherWidth)) {
      throw new DistilleryError(`${where}: ${student} and ${teacher} differ in spatial size; pair stages of equal H×W`, where);
    }
    return {
      inChannels: studentShape[studentShape.length - 1] as number,
      outChannels: teacherShape[teacherShape.length - 1] as number,
    };
  });
}

/** [H, W] of a map, [1, 1] of a vector; `null` where the model leaves it open. */
function spatialSize(shape: SymbolicShape): [number | null, number | null] {
  return shape.length === 2 ? [1, 1] : [shape[1] ?? null, shape[2] ?? null];
}

function describeShape(shape: SymbolicShape): string {
  return `[${shape.map((size, axis) => size ?? (axis === 0 ? 'B' : '?')).join(', ')}]`;
}
