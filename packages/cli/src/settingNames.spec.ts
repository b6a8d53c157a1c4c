import { describe, expect, it } from 'vitest';
import { settingNames } from './settingNames.js';

describe('settingNames', () => {
  it('writes the Hinton shorthands as the paper does and config paths by their last part', () => {
    expect(settingNames(['temperature', 'alpha', 'training.optimizer.learningRate', 'student.model.hidden[0]'])).toEqual({
      temperature: 'T',
      alpha: 'α',
      'training.optimizer.learningRate': 'learningRate',
      'student.model.hidden[0]': 'hidden[0]',
    });
  });

  it('keeps whole paths where last parts would collide', () => {
    expect(settingNames(['strategies[0].options.beta', 'strategies[1].options.beta', 'seeds'])).toEqual({
      'strategies[0].options.beta': 'strategies[0].options.beta',
      'strategies[1].options.beta': 'strategies[1].options.beta',
      seeds: 'seeds',
    });
  });
});
