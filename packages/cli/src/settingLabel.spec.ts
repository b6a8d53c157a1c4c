import { describe, expect, it } from 'vitest';
import { settingLabel } from './settingLabel.js';

describe('settingLabel', () => {
  it('writes a grid point as a reader would, in the grid’s order', () => {
    expect(settingLabel({ temperature: 4, alpha: 0.5 })).toBe('T = 4, α = 0.5');
    expect(settingLabel({ 'strategies[0].options.policy': 'mean-probs' })).toBe('policy = mean-probs');
  });

  it('writes only the parameters asked for, with the names given', () => {
    const names = { temperature: 'T', alpha: 'α', seedless: 'seedless' };
    expect(settingLabel({ temperature: 2, alpha: 0.9 }, ['alpha'], names)).toBe('α = 0.9');
  });
});
