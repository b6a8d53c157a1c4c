import type { StrategyCreationContext } from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';

/**
 * The context a factory's `create` gets, as the kernel builds it for the first strategy of an experiment
 * (`strategies[0].options`, one teacher named `teacher`, seed 0); `overrides` replace any field. Variables
 * are named under `term` (default `strategy`), unique among live variables, as the kernel names them.
 */
export function creationContext(
  overrides: Partial<Omit<StrategyCreationContext, 'variableName'>> & { readonly term?: string } = {},
): StrategyCreationContext {
  const { term = 'strategy', ...fields } = overrides;
  return {
    path: 'strategies[0].options',
    teacherNames: ['teacher'],
    studentName: 'student',
    seed: 0,
    ...fields,
    variableName: (local) => uniqueVariableName(`${term}/${local}`),
  };
}
