import { describe, expect, it } from 'vitest';
import { formatStrategies } from './formatStrategies.js';

describe('formatStrategies', () => {
  it('prints a block per strategy: key and description, the paper, then each option with its type, default and description', () => {
    const text = formatStrategies([
      {
        key: 'response.kd',
        description: 'Hinton KD',
        paper: 'Hinton, Vinyals, Dean 2015',
        options: [
          { name: 'teacher', type: 'string', required: false, description: 'the teacher to learn from' },
          { name: 'shape', type: "'linear' | 'cosine'", required: false, default: 'linear' },
          { name: 'temperature', type: 'number > 0', required: false, default: 4, description: 'softening temperature' },
          { name: 'pairs', type: '{ student, teacher }[]', required: true },
        ],
        optionsSchema: {},
      },
      { key: 'test.none', description: 'takes no options', options: [], optionsSchema: {} },
      { key: 'test.open', description: 'declares no options', options: null, optionsSchema: null },
    ]);
    expect(text.split('\n')).toEqual([
      'response.kd: Hinton KD',
      '  paper: Hinton, Vinyals, Dean 2015',
      '  options:',
      '    teacher (string, optional): the teacher to learn from',
      "    shape ('linear' | 'cosine', default 'linear')",
      '    temperature (number > 0, default 4): softening temperature',
      '    pairs ({ student, teacher }[], required)',
      '',
      'test.none: takes no options',
      '  options: none',
      '',
      'test.open: declares no options',
      '  options: any (not declared by the plugin, checked when the strategy is created)',
    ]);
  });
});
