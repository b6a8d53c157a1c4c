import { describe, expect, it } from 'vitest';
import { curriculumLambda } from './curriculumLambda.js';

const paper = { lambdaMin: 0, lambdaMax: 1, epochs: 10 };

describe('curriculumLambda', () => {
  it('starts small in the first epoch: ½(1 + cos(1.1π)) ≈ 0.02447 for E = 10', () => {
    expect(curriculumLambda(0, paper)).toBeCloseTo(0.5 * (1 - Math.cos(0.1 * Math.PI)), 12);
    expect(curriculumLambda(0, paper)).toBeCloseTo(0.024472, 6);
  });

  it('is halfway at n = E/2 (the fifth epoch) and reaches λ_max at n = E', () => {
    expect(curriculumLambda(4, paper)).toBeCloseTo(0.5, 12);
    expect(curriculumLambda(9, paper)).toBeCloseTo(1, 12);
  });

  it('stays at λ_max after E epochs', () => {
    expect(curriculumLambda(10, paper)).toBeCloseTo(1, 12);
    expect(curriculumLambda(239, paper)).toBeCloseTo(1, 12);
  });

  it('rises monotonically in between', () => {
    const values = Array.from({ length: 10 }, (_, epoch) => curriculumLambda(epoch, paper));
    values.slice(1).forEach((value, i) => {
      expect(value).toBeGreaterThan(values[i] as number);
    });
  });

  it('maps onto [λ_min, λ_max]: halfway between 0.2 and 0.6 is 0.4', () => {
    const schedule = { lambdaMin: 0.2, lambdaMax: 0.6, epochs: 4 };
    expect(curriculumLambda(1, schedule)).toBeCloseTo(0.4, 12);
    expect(curriculumLambda(3, schedule)).toBeCloseTo(0.6, 12);
  });

  it('is at full strength from the first epoch when E = 1', () => {
    expect(curriculumLambda(0, { lambdaMin: 0, lambdaMax: 1, epochs: 1 })).toBeCloseTo(1, 12);
  });
});
