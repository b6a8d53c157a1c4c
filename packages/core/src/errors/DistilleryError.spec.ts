import { describe, expect, it } from 'vitest';
import { DistilleryError } from './DistilleryError.js';

describe('DistilleryError', () => {
  it('keeps the field it names and reads as one line', () => {
    const error = new DistilleryError('strategies[0].weight: expected a finite number ≥ 0', 'strategies[0].weight');
    expect(error.field).toBe('strategies[0].weight');
    expect(error.message.includes('\n')).toBe(false);
    expect(error).toBeInstanceOf(Error);
  });

  it('recognises an error of the same name from another copy of the package', () => {
    class ForeignDistilleryError extends Error {
      override readonly name = 'DistilleryError';
    }
    expect(new ForeignDistilleryError('x') instanceof DistilleryError).toBe(true);
    expect(new Error('x') instanceof DistilleryError).toBe(false);
    expect(Object.create(null) instanceof DistilleryError).toBe(false);
  });
});
