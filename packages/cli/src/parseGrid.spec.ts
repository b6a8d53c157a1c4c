import { describe, expect, it } from 'vitest';
import { parseGrid } from './parseGrid.js';

describe('parseGrid', () => {
  it('reads each parameter and its list of values, in order', () => {
    expect(parseGrid(['temperature=1,2,4', 'alpha=0.5, 0.9', 'training.optimizer.learningRate=1e-3'])).toEqual({
      temperature: [1, 2, 4],
      alpha: [0.5, 0.9],
      'training.optimizer.learningRate': [0.001],
    });
  });

  it('accepts config paths with list indices and negative values', () => {
    expect(parseGrid(['strategies[1].options.beta=-1,8'])).toEqual({ 'strategies[1].options.beta': [-1, 8] });
  });

  it('asks for at least one parameter', () => {
    expect(() => parseGrid([])).toThrow('--grid: give at least one, e.g. --grid temperature=1,2,4,8');
  });

  it.each(['temperature', 'temperature=', '=1,2', 'temper ature=1', 'a/b=1'])('refuses %j, which is not name=values', (entry) => {
    expect(() => parseGrid([entry])).toThrow(`--grid ${entry}: expected name=value,value,… (e.g. temperature=1,2,4)`);
  });

  it.each(['temperature=1,two', 'temperature=1,,4', 'temperature=1, ', 'temperature=Infinity', 'temperature=NaN'])(
    'refuses %j, whose values are not all finite numbers',
    (entry) => {
      expect(() => parseGrid([entry])).toThrow(`--grid ${entry}: every value must be a number`);
    },
  );

  it('takes words for a config path, so a sweep can compare policies', () => {
    expect(parseGrid(['strategies[0].options.policy=mean-probs, confidence,entropy'])).toEqual({
      'strategies[0].options.policy': ['mean-probs', 'confidence', 'entropy'],
    });
    expect(() => parseGrid(['strategies[0].options.policy=mean-probs,2'])).toThrow(
      '--grid strategies[0].options.policy=mean-probs,2: every value must be a number, or every value a word',
    );
  });

  it('refuses a parameter given twice', () => {
    expect(() => parseGrid(['alpha=0.5', 'alpha=0.9'])).toThrow('--grid alpha: given twice');
  });

  it('takes names that objects inherit as plain names', () => {
    const grid = parseGrid(['toString=1', '__proto__=2']);
    expect(Object.entries(grid)).toEqual([
      ['toString', [1]],
      ['__proto__', [2]],
    ]);
    expect(Object.getPrototypeOf(grid)).toBe(Object.prototype);
  });
});
