import { describe, expect, it } from 'vitest';
import { gapClosedOf } from './gapClosedOf.js';
import type { ModelRole, ModelSummary } from './Summary.js';

const model = (role: ModelRole, accuracy: number): ModelSummary => ({
  role,
  accuracy: { mean: accuracy, std: 0, values: [accuracy] },
  validationAccuracy: { mean: accuracy, std: 0, values: [accuracy] },
  parameters: 1,
  bytes: 1,
  latencyMsPerExample: 1,
});
const gain = (mean: number) => ({ mean, std: 0, values: [mean] });

describe('gapClosedOf', () => {
  it('divides the mean gain by the gap between the teacher and the student trained alone', () => {
    // Teacher 98 %, baseline 95 %: a 3-point gap; a 1.2-point gain closes 40 % of it.
    const models = { 'teacher:cnn': model('teacher', 0.98), baseline: model('baseline', 0.95), student: model('student', 0.962) };
    const closed = gapClosedOf(models, gain(0.012));
    expect(closed?.reference).toBe('teacher:cnn');
    expect(closed?.gap).toBeCloseTo(0.03, 12);
    expect(closed?.fraction).toBeCloseTo(0.4, 12);
  });

  it("measures against the teachers' ensemble when there are several teachers", () => {
    const models = {
      'teacher:a': model('teacher', 0.97),
      'teacher:b': model('teacher', 0.99),
      ensemble: model('ensemble', 0.985),
      baseline: model('baseline', 0.965),
      student: model('student', 0.975),
    };
    expect(gapClosedOf(models, gain(0.01))).toEqual({
      reference: 'ensemble',
      gap: 0.985 - 0.965,
      fraction: 0.01 / (0.985 - 0.965),
    });
  });

  it('is negative when distillation hurt, and absent when there is no gap, no teacher or no baseline', () => {
    const models = { 'teacher:t': model('teacher', 0.9), baseline: model('baseline', 0.8), student: model('student', 0.78) };
    expect(gapClosedOf(models, gain(-0.02))?.fraction).toBeCloseTo(-0.2, 12);
    expect(gapClosedOf({ ...models, 'teacher:t': model('teacher', 0.8) }, gain(0.01))).toBeUndefined();
    expect(gapClosedOf({ baseline: models.baseline, student: models.student }, gain(0.01))).toBeUndefined();
    expect(gapClosedOf(models, undefined)).toBeUndefined();
  });
});
