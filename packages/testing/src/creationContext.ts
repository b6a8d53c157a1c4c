import type { StrategyCreationContext } from '@distillery/core';
import { readTeacherLayerWeights, uniqueVariableName } from '@distillery/core/internal';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The context a factory's `create` gets, as the kernel builds it for the first strategy of an experiment
 * (`strategies[0].options`, one teacher named `teacher`, seed 0); `overrides` replace any field. Variables
 * are named under `term` (default `strategy`), unique among live variables, as the kernel names them.
 * `teacherLayerWeights` reads the models given as `teacherModels` (by teacher name), as the kernel reads the
 * experiment's teachers; with none given, every teacher is unknown to it. `teacherNames` defaults to the names
 * of `teacherModels` when those are given.
 */
export function creationContext(
  overrides: Partial<Omit<StrategyCreationContext, 'variableName'>> & {
    readonly term?: string;
    readonly teacherModels?: Readonly<Record<string, tfl.LayersModel>>;
  } = {},
): StrategyCreationContext {
  const { term = 'strategy', teacherModels = {}, ...fields } = overrides;
  const teachers = Object.entries(teacherModels).map(([name, model]) => ({ name, model }));
  return {
    path: 'strategies[0].options',
    teacherNames: teachers.length > 0 ? teachers.map(({ name }) => name) : ['teacher'],
    studentName: 'student',
    seed: 0,
    teacherLayerWeights: (teacher, layer) => readTeacherLayerWeights(teachers, teacher, layer),
    ...fields,
    variableName: (local) => uniqueVariableName(`${term}/${local}`),
  };
}
