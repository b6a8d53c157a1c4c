import { type ExperimentConfig, parseConfig } from '@distillery/config';
import { describe, expect, it } from 'vitest';
import { applySetting } from './applySetting.js';

function config(strategies: string): ExperimentConfig {
  return parseConfig(
    `data: { source: synthetic }
teachers: [{ name: big, model: { type: mlp }, training: { epochs: 1 } }]
student: { model: { type: mlp, hidden: [8] } }
strategies: ${strategies}
`,
    'sweep.yaml',
  );
}

const manyStrategies = config(`
  - { key: response.kd, weight: 0.5, options: { temperature: { start: 8, end: 2 } } }
  - { key: response.dkd, options: { alpha: 1, beta: 8 } }
  - { key: multi.kd }
  - { key: feature.hint, options: { pairs: [{ student: student_hidden1, teacher: big_hidden1 }] } }
  - { key: multi.hint, options: { temperature: 2, pairs: [] } }
  - { key: multi.attention, weight: 2 }
  - { key: task.ce, weight: 0.5 }`);

describe('applySetting', () => {
  describe('the temperature shorthand', () => {
    it('sets the temperature of every strategy that takes one and keeps their other options', () => {
      const swept = applySetting(manyStrategies, 'temperature', 3);
      expect(swept.strategies.map((strategy) => [strategy.key, strategy.options])).toEqual([
        ['response.kd', { temperature: 3 }],
        ['response.dkd', { alpha: 1, beta: 8, temperature: 3 }],
        ['multi.kd', { temperature: 3 }],
        ['feature.hint', { pairs: [{ student: 'student_hidden1', teacher: 'big_hidden1' }] }],
        ['multi.hint', { temperature: 3, pairs: [] }],
        ['multi.attention', { temperature: 3 }],
        ['task.ce', undefined],
      ]);
      expect(swept.strategies.map((strategy) => strategy.weight)).toEqual([0.5, 1, 1, 1, 1, 2, 0.5]);
    });

    it('leaves the config it was given unchanged', () => {
      const before = structuredClone(manyStrategies);
      applySetting(manyStrategies, 'temperature', 3);
      expect(manyStrategies).toEqual(before);
    });

    it('is refused when no strategy takes a temperature', () => {
      expect(() => applySetting(config('[{ key: task.ce }, { key: attention.at }]'), 'temperature', 2)).toThrow(
        '--grid temperature: no strategy takes a temperature (response.kd, response.dkd, response.dist, response.tfkd, multi.kd, multi.dkd, multi.hint, multi.attention, multi.relation)',
      );
    });
  });

  describe('the alpha shorthand', () => {
    it('weighs the first distillation term by α and task.ce by 1 − α', () => {
      const swept = applySetting(manyStrategies, 'alpha', 0.9);
      expect(swept.strategies.map((strategy) => strategy.weight)).toEqual([0.9, 1, 1, 1, 1, 2, 1 - 0.9]);
    });

    it('finds task.ce wherever it stands', () => {
      const swept = applySetting(config('[{ key: task.ce }, { key: response.kd }]'), 'alpha', 0.25);
      expect(swept.strategies.map((strategy) => [strategy.key, strategy.weight])).toEqual([
        ['task.ce', 0.75],
        ['response.kd', 0.25],
      ]);
    });

    it.each([
      ['no task.ce', '[{ key: response.kd }]'],
      ['no distillation term', '[{ key: task.ce }]'],
    ])('is refused with %s', (_, strategies) => {
      expect(() => applySetting(config(strategies), 'alpha', 0.5)).toThrow(
        '--grid alpha: needs a task.ce strategy and a distillation strategy (α · distillation + (1 − α) · task.ce)',
      );
    });

    it('refuses an α above 1, naming the weight that turned negative', () => {
      // task.ce is strategies[6]; its weight 1 − 1.5 = −0.5 breaks the schema's weight ≥ 0.
      expect(() => applySetting(manyStrategies, 'alpha', 1.5)).toThrow(
        '--grid alpha=1.5: strategies[6].weight: expected a finite number ≥ 0',
      );
    });
  });

  describe('a config path', () => {
    it('sets a nested value and nothing else', () => {
      const swept = applySetting(manyStrategies, 'training.optimizer.learningRate', 0.01);
      expect(swept.training.optimizer).toEqual({ ...manyStrategies.training.optimizer, learningRate: 0.01 });
      expect({ ...swept, training: undefined }).toEqual({ ...manyStrategies, training: undefined });
    });

    it('reaches into lists and creates a missing options object', () => {
      expect(applySetting(manyStrategies, 'strategies[1].options.beta', 2).strategies[1]?.options).toEqual({ alpha: 1, beta: 2 });
      expect(applySetting(manyStrategies, 'strategies[2].options.temperature', 6).strategies[2]?.options).toEqual({
        temperature: 6,
      });
      expect(applySetting(manyStrategies, 'seeds[0]', 7).seeds).toEqual([7]);
    });

    it.each([
      ['training.optimizer.learningRate', -1, 'training.optimizer.learningRate: Too small: expected number to be >0'],
      ['training.epochs', 2.5, 'training.epochs: Invalid input: expected int, received number'],
      ['training.epoch', 3, "training: unknown key 'epoch'"],
      ['student.model.dropout', 1, 'student.model.dropout: Too big: expected number to be <1'],
    ])('refuses %s=%d, naming the field', (path, value, problem) => {
      expect(() => applySetting(manyStrategies, path, value)).toThrow(`--grid ${path}=${value}: ${problem}`);
    });

    it('refuses an index past the end of a list instead of leaving holes in it', () => {
      expect(() => applySetting(manyStrategies, 'strategies[7].weight', 1)).toThrow(
        "--grid strategies[7].weight: 'strategies[7]' is not in the config (it has 7)",
      );
    });

    it('refuses to index into something that is not in the config', () => {
      expect(() => applySetting(manyStrategies, 'schedules[0].gamma', 0.5)).toThrow(
        "--grid schedules[0].gamma: 'schedules' is not in the config",
      );
    });

    it('never writes to Object.prototype', () => {
      expect(() => applySetting(manyStrategies, 'training.__proto__.polluted', 1)).toThrow(
        "--grid training.__proto__.polluted: 'training.__proto__' is not a config setting",
      );
      expect(() => applySetting(manyStrategies, 'constructor.prototype.polluted', 1)).toThrow(
        "--grid constructor.prototype.polluted: 'constructor' is not a config setting",
      );
      expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    });
  });
});
