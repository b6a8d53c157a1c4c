import type { ResizeMethod } from './ResizeMethod.js';

/**
 * Why two spatial sizes [H, W] cannot be brought to one with `method`, or `undefined` when they can:
 * one map must be at least as large as the other in both H and W, and for `avgpool` an integer multiple.
 */
export function describeResizeProblem(
  studentSize: readonly [number, number],
  teacherSize: readonly [number, number],
  method: ResizeMethod,
): string | undefined {
  const [studentHeight, studentWidth] = studentSize;
  const [teacherHeight, teacherWidth] = teacherSize;
  const sizes = `student map ${studentHeight}×${studentWidth}, teacher map ${teacherHeight}×${teacherWidth}`;
  const studentIsLarger = studentHeight >= teacherHeight && studentWidth >= teacherWidth;
  const teacherIsLarger = teacherHeight >= studentHeight && teacherWidth >= studentWidth;
  if (!studentIsLarger && !teacherIsLarger) {
    return `${sizes}: neither is at least as large as the other in both H and W, so neither can be reduced to the other`;
  }
  if (method === 'avgpool') {
    const [largeHeight, largeWidth, smallHeight, smallWidth] = studentIsLarger
      ? [studentHeight, studentWidth, teacherHeight, teacherWidth]
      : [teacherHeight, teacherWidth, studentHeight, studentWidth];
    if (largeHeight % smallHeight !== 0 || largeWidth % smallWidth !== 0) {
      return `${sizes}: avgpool needs sizes that are integer multiples of each other; use resize: 'bilinear' or tap layers of matching size`;
    }
  }
  return undefined;
}
