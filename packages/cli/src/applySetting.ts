import { type ExperimentConfig, experimentConfigSchema } from '@distillery/config';
import { DistilleryError } from '@distillery/core';
import { describeZodIssue } from '@distillery/core/internal';
import type { GridValue } from './GridValue.js';

/** Strategies whose options take a `temperature`, for the `temperature` shorthand. */
const temperatureStrategies = [
  'response.kd',
  'response.dkd',
  'response.dist',
  'response.tfkd',
  'multi.kd',
  'multi.dkd',
  'multi.hint',
  'multi.attention',
  'multi.relation',
];

/**
 * Sets one sweep parameter in a config and validates the result. Shorthands: `temperature` sets the
 * temperature of every strategy that has one; `alpha` is Hinton's mix, weight α on the distillation
 * term (the first strategy that is not task.ce) and 1 − α on task.ce. Anything else is a path into
 * the config: `training.optimizer.learningRate`, `strategies[1].options.beta`.
 */
export function applySetting(config: ExperimentConfig, name: string, value: GridValue): ExperimentConfig {
  const copy = structuredClone(config) as Record<string, unknown> & ExperimentConfig;
  if ((name === 'temperature' || name === 'alpha') && typeof value !== 'number') {
    throw new DistilleryError(`--grid ${name}=${value}: expected a number`);
  }
  if (name === 'temperature') {
    const targets = copy.strategies.filter((strategy) => temperatureStrategies.includes(strategy.key));
    if (targets.length === 0)
      throw new DistilleryError(`--grid temperature: no strategy takes a temperature (${temperatureStrategies.join(', ')})`);
    for (const strategy of targets) strategy.options = { ...(strategy.options as object | undefined), temperature: value };
  } else if (name === 'alpha') {
    const task = copy.strategies.find((strategy) => strategy.key === 'task.ce');
    const distillation = copy.strategies.find((strategy) => strategy.key !== 'task.ce');
    if (task === undefined || distillation === undefined) {
      throw new DistilleryError(
        '--grid alpha: needs a task.ce strategy and a distillation strategy (α · distillation + (1 − α) · task.ce)',
      );
    }
    distillation.weight = value as number;
    task.weight = 1 - (value as number);
  } else {
    setPath(copy, name, value);
  }
  const parsed = experimentConfigSchema.safeParse(copy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const described = issue === undefined ? { field: name, message: 'invalid' } : describeZodIssue(issue, '');
    throw new DistilleryError(`--grid ${name}=${value}: ${described.field}: ${described.message}`);
  }
  return parsed.data;
}

/** Keys that would reach Object.prototype rather than a setting: `a.__proto__.b` must not change every object. */
const prototypeKeys = new Set(['__proto__', 'prototype', 'constructor']);

function setPath(target: Record<string, unknown>, path: string, value: GridValue): void {
  const keys = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] === undefined ? (match[1] as string) : Number(match[2]),
  );
  if (keys.length === 0)
    throw new DistilleryError(`--grid ${path}: expected a config path such as training.optimizer.learningRate`);
  const label = (count: number) =>
    keys
      .slice(0, count)
      .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`))
      .join('');
  let node: Record<string | number, unknown> = target;
  keys.forEach((key, i) => {
    if (typeof key === 'string' && prototypeKeys.has(key))
      throw new DistilleryError(`--grid ${path}: '${label(i + 1)}' is not a config setting`);
    // Writing past the end of a list would leave holes that the schema reports at the wrong index.
    if (Array.isArray(node) && typeof key === 'number' && key >= node.length)
      throw new DistilleryError(`--grid ${path}: '${label(i + 1)}' is not in the config (it has ${node.length})`);
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined || next === null || typeof next !== 'object') {
      if (typeof keys[i + 1] === 'number') throw new DistilleryError(`--grid ${path}: '${label(i + 1)}' is not in the config`);
      node[key] = {};
    }
    node = node[key] as Record<string | number, unknown>;
  });
}
