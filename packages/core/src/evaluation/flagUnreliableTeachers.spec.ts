import { describe, expect, it } from 'vitest';
import { flagUnreliableTeachers } from './flagUnreliableTeachers.js';

const advice = '; a per-example policy (multi.kd policy confidence or entropy) or leaving it out may help';

/** Teachers from [accuracy, ECE] pairs. */
const teachersOf = (figures: Record<string, readonly [number, number]>) =>
  Object.fromEntries(
    Object.entries(figures).map(([name, [accuracy, expectedCalibrationError]]) => [name, { accuracy, expectedCalibrationError }]),
  );

describe('flagUnreliableTeachers', () => {
  it('flags a teacher far below the best and much worse calibrated than the others, with both figures', () => {
    const flags = flagUnreliableTeachers(teachersOf({ resnet56: [0.91, 0.02], resnet32: [0.9, 0.04], noisy: [0.712, 0.21] }));
    // 91.0 − 71.2 = 19.8 points; the others' ECEs 0.02 and 0.04 have the median 0.03, and 0.21 ≥ 2 · 0.03.
    expect(flags).toEqual([
      {
        teacher: 'noisy',
        message: `teacher 'noisy' looks unreliable: accuracy 71.2 % is 19.8 points below 'resnet56' (91.0 %); ECE 0.21 against a median of 0.03 for the other teachers${advice}`,
      },
    ]);
  });

  it('flags a gap of exactly 5 points, and not one of 4.9', () => {
    expect(flagUnreliableTeachers(teachersOf({ best: [0.93, 0.03], behind: [0.88, 0.03] }))).toEqual([
      {
        teacher: 'behind',
        message: `teacher 'behind' looks unreliable: accuracy 88.0 % is 5.0 points below 'best' (93.0 %)${advice}`,
      },
    ]);
    expect(flagUnreliableTeachers(teachersOf({ best: [0.93, 0.03], close: [0.881, 0.03] }))).toEqual([]);
  });

  it('flags an ECE of at least 0.1 and twice the others’ median, even at equal accuracy', () => {
    expect(flagUnreliableTeachers(teachersOf({ a: [0.9, 0.05], b: [0.9, 0.12] }))).toEqual([
      {
        teacher: 'b',
        message: `teacher 'b' looks unreliable: ECE 0.12 against a median of 0.05 for the other teachers${advice}`,
      },
    ]);
    // 0.12 is less than twice 0.07; 0.09 is under the floor of 0.1 though nine times 0.01.
    expect(flagUnreliableTeachers(teachersOf({ a: [0.9, 0.07], b: [0.9, 0.12] }))).toEqual([]);
    expect(flagUnreliableTeachers(teachersOf({ a: [0.9, 0.01], b: [0.9, 0.09] }))).toEqual([]);
  });

  it('flags nobody when the teachers are alike, even all poorly calibrated, or when there is one teacher', () => {
    expect(flagUnreliableTeachers(teachersOf({ a: [0.93, 0.03], b: [0.92, 0.04], c: [0.915, 0.035] }))).toEqual([]);
    expect(flagUnreliableTeachers(teachersOf({ a: [0.72, 0.15], b: [0.7, 0.17], c: [0.71, 0.16] }))).toEqual([]);
    expect(flagUnreliableTeachers(teachersOf({ only: [0.2, 0.6] }))).toEqual([]);
    expect(flagUnreliableTeachers({})).toEqual([]);
  });

  it('flags every teacher that falls short, in the order given', () => {
    const flags = flagUnreliableTeachers(teachersOf({ weak: [0.6, 0.03], best: [0.95, 0.03], weaker: [0.5, 0.03] }));
    expect(flags.map(({ teacher }) => teacher)).toEqual(['weak', 'weaker']);
    expect(flags[1]?.message).toContain("accuracy 50.0 % is 45.0 points below 'best' (95.0 %)");
  });
});
