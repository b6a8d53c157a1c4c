import { DistilleryError } from '@distillery/core';
import type { GridValue } from './GridValue.js';

/**
 * `--grid temperature=1,2,4 --grid alpha=0.5,0.9` → { temperature: [1, 2, 4], alpha: [0.5, 0.9] }. A
 * config path may also take words (`strategies[0].options.policy=mean-probs,confidence`); the
 * `temperature` and `alpha` shorthands take numbers only.
 */
export function parseGrid(entries: readonly string[]): Record<string, GridValue[]> {
  if (entries.length === 0) throw new DistilleryError('--grid: give at least one, e.g. --grid temperature=1,2,4,8');
  const grid: Record<string, GridValue[]> = {};
  for (const entry of entries) {
    const match = /^([\w.[\]]+)=(.+)$/.exec(entry);
    if (match === null) throw new DistilleryError(`--grid ${entry}: expected name=value,value,… (e.g. temperature=1,2,4)`);
    const [, name, list] = match as unknown as [string, string, string];
    const texts = list.split(',').map((text) => text.trim());
    const numbers = texts.map(Number);
    const numeric = numbers.every((value, i) => Number.isFinite(value) && texts[i] !== '');
    const words = texts.every((text) => /^[\w.-]+$/.test(text) && !/^[-+.\d]/.test(text));
    if (!numeric && (name === 'temperature' || name === 'alpha' || !words)) {
      throw new DistilleryError(
        `--grid ${entry}: every value must be a number${name === 'temperature' || name === 'alpha' ? '' : ', or every value a word'}`,
      );
    }
    const values: GridValue[] = numeric ? numbers : texts;
    // Own keys only (`in` would also find toString), and defined rather than assigned so that
    // `__proto__` stays a key that applySetting refuses instead of vanishing into the prototype.
    if (Object.hasOwn(grid, name)) throw new DistilleryError(`--grid ${name}: given twice`);
    Object.defineProperty(grid, name, { value: values, enumerable: true, writable: true, configurable: true });
  }
  return grid;
}
