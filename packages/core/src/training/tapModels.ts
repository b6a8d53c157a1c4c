import type { Logger } from '../composition/Logger.js';
import { blameStrategy } from '../errors/blameStrategy.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { describeFeatures } from '../models/describeFeatures.js';
import { describeLayers } from '../models/describeLayers.js';
import { isForwardModel } from '../models/isForwardModel.js';
import { ModelView } from '../models/ModelView.js';
import type { Student } from '../models/Student.js';
import type { Teacher } from '../models/Teacher.js';
import type { TeacherModel } from '../models/TeacherModel.js';
import type { TeacherView } from '../models/TeacherView.js';
import { viewOfTeacher } from '../models/viewOfTeacher.js';
import type { ObjectiveTerm } from './ObjectiveTerm.js';

/**
 * Views of the student and the teachers that output every layer the strategies tap, checked against the
 * models (each tapped layer exists, each tapped teacher is one of the experiment's, every model predicts as
 * many classes as the student), then each strategy built with the tapped layers' static shapes.
 */
export function tapModels(
  terms: readonly ObjectiveTerm[],
  student: Student,
  teachers: readonly Teacher[],
  logger: Logger,
): { studentView: ModelView; teacherViews: TeacherView[] } {
  const teacherNames = teachers.map((teacher) => teacher.name);
  const studentLayers = new Set<string>();
  const teacherLayers = new Map<string, Set<string>>(teacherNames.map((name) => [name, new Set<string>()]));
  const requireLayer = (i: number, role: string, model: TeacherModel, layer: string) => {
    if (isForwardModel(model)) {
      if (model.featureShapes[layer] !== undefined) return;
      throw new DistilleryError(
        `strategies[${i}]: ${role} (${model.description}) has no output named '${layer}'; its outputs are: ${describeFeatures(model)}`,
      );
    }
    if (!model.layers.some((candidate) => candidate.name === layer)) {
      throw new DistilleryError(
        `strategies[${i}]: ${role} has no layer named '${layer}'; its layers are: ${describeLayers(model)}`,
      );
    }
  };
  terms.forEach(({ strategy }, i) => {
    for (const layer of strategy.taps?.student ?? []) {
      requireLayer(i, 'the student', student.model, layer);
      studentLayers.add(layer);
    }
    for (const [teacher, layers] of Object.entries(strategy.taps?.teachers ?? {})) {
      const set = teacherLayers.get(teacher);
      if (set === undefined) {
        throw new DistilleryError(
          `strategies[${i}]: taps teacher '${teacher}', but the teachers are: ${teacherNames.join(', ') || 'none'}`,
        );
      }
      const model = teachers.find(({ name }) => name === teacher)?.model as TeacherModel;
      for (const layer of layers) {
        requireLayer(i, `teacher '${teacher}'`, model, layer);
        set.add(layer);
      }
    }
  });
  const studentView = new ModelView('student', student.model, [...studentLayers], logger);
  const teacherViews = teachers.map((teacher) => viewOfTeacher(teacher, [...(teacherLayers.get(teacher.name) ?? [])], logger));
  teacherViews.forEach((view, k) => {
    if (view.numClasses !== studentView.numClasses) {
      throw new DistilleryError(
        `teachers[${k}].model: ${view.role} predicts ${view.numClasses} classes but the student predicts ${studentView.numClasses}`,
        `teachers[${k}].model`,
      );
    }
  });

  const shapes = {
    student: studentView.tapShapes(),
    teachers: Object.fromEntries(teacherViews.map((view, i) => [teacherNames[i], view.tapShapes()])),
    numClasses: studentView.numClasses,
  };
  terms.forEach(({ strategy, key }, i) => {
    blameStrategy(i, key, 'building it', () => strategy.build?.(shapes));
  });
  return { studentView, teacherViews };
}
