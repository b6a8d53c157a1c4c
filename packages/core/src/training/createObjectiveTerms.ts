import { blameStrategy } from '../errors/blameStrategy.js';
import type { Teacher } from '../models/Teacher.js';
import type { StrategyCreationContext } from '../strategy/StrategyCreationContext.js';
import type { StrategyRegistry } from '../strategy/StrategyRegistry.js';
import type { StrategySpec } from '../strategy/StrategySpec.js';
import { readTeacherLayerWeights } from '../teachers/readTeacherLayerWeights.js';
import type { ObjectiveTerm } from './ObjectiveTerm.js';
import { uniqueVariableName } from './uniqueVariableName.js';

/** What every strategy of one experiment is told when it is created. */
export interface ExperimentFacts {
  /** The experiment's teachers: their names, and the layer weights a strategy may read (frozen models). */
  readonly teachers: readonly Teacher[];
  readonly studentName: string;
  readonly seed: number;
}

/**
 * One objective term per strategy spec, each strategy created by its factory. A term is named by the spec's
 * `name`, else its key, numbered from 2 when it repeats (`response.kd#2`); its variables are named under it.
 */
export function createObjectiveTerms(
  specs: readonly StrategySpec[],
  registry: StrategyRegistry,
  experiment: ExperimentFacts,
): ObjectiveTerm[] {
  const { teachers, studentName, seed } = experiment;
  const teacherNames = teachers.map((teacher) => teacher.name);
  return specs.map((spec, i) => {
    const name = uniqueTermName(spec.name ?? spec.key, specs.slice(0, i));
    const context: StrategyCreationContext = {
      teacherNames,
      studentName,
      seed,
      path: `strategies[${i}].options`,
      variableName: (local: string) => uniqueVariableName(`${name}/${local}`),
      teacherLayerWeights: (teacher: string, layer: string) => readTeacherLayerWeights(teachers, teacher, layer),
    };
    return {
      name,
      key: spec.key,
      weight: spec.weight,
      from: spec.from ?? 0,
      until: spec.until ?? Number.POSITIVE_INFINITY,
      strategy: blameStrategy(i, spec.key, 'creating it', () =>
        registry.create(spec.key, spec.options, context, `strategies[${i}].key`),
      ),
    };
  });
}

function uniqueTermName(name: string, earlier: readonly StrategySpec[]): string {
  const clashes = earlier.filter((spec) => (spec.name ?? spec.key) === name).length;
  return clashes === 0 ? name : `${name}#${clashes + 1}`;
}
