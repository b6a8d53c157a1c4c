import { describe, expect, it } from 'vitest';
import { resolveTeacherName } from './resolveTeacherName.js';

const context = (teacherNames: string[]) => ({
  path: 'strategies[2].options',
  teacherNames,
  studentName: 'student',
  seed: 0,
  variableName: (local: string) => local,
  teacherLayerWeights: () => [],
});

describe('resolveTeacherName', () => {
  it('takes the named teacher, or else the first', () => {
    expect(resolveTeacherName('b', 'x.y', context(['a', 'b']))).toBe('b');
    expect(resolveTeacherName(undefined, 'x.y', context(['a', 'b']))).toBe('a');
  });

  it('names the field and the teachers there are when the name is unknown', () => {
    expect(() => resolveTeacherName('c', 'x.y', context(['a', 'b']))).toThrow(
      "strategies[2].options.teacher: unknown teacher 'c'; the teachers are: a, b",
    );
  });

  it('says which strategy needs a teacher when the experiment has none', () => {
    expect(() => resolveTeacherName(undefined, 'x.y', context([]))).toThrow(
      'strategies[2].options.teacher: x.y needs a teacher, but the experiment has none',
    );
  });
});
