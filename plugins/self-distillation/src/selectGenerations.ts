import { DistilleryError } from '@distillery/core';

/**
 * Checks a list of generation indices against `count` generations (0 … count − 1) and returns it; without one,
 * every generation in order. Errors name the entry: `ensembleGenerations[1]: expected an integer in 0 … 3, got 7`.
 */
export function selectGenerations(requested: readonly number[] | undefined, count: number, field: string): number[] {
  if (requested === undefined) return Array.from({ length: count }, (_, generation) => generation);
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new DistilleryError(`${field}: expected a non-empty list of generation indices`, field);
  }
  requested.forEach((generation, i) => {
    if (!Number.isInteger(generation) || generation < 0 || generation >= count) {
      throw new DistilleryError(`${field}[${i}]: expected an integer in 0 … ${count - 1}, got ${generation}`, `${field}[${i}]`);
    }
    if (requested.indexOf(generation) !== i) {
      throw new DistilleryError(`${field}[${i}]: generation ${generation} is listed twice`, `${field}[${i}]`);
    }
  });
  return [...requested];
}
