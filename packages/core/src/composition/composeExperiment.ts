import { Container, type ContainerModule } from 'inversify';
import { BackendPreference } from '../backends/BackendPreference.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { describeZodIssue } from '../errors/describeZodIssue.js';
import { isForwardModel } from '../models/isForwardModel.js';
import { Peer } from '../models/Peer.js';
import { Student } from '../models/Student.js';
import { Teacher } from '../models/Teacher.js';
import { StrategySpec } from '../strategy/StrategySpec.js';
import { TeacherOutputStoreFactory } from '../teachers/TeacherOutputStoreFactory.js';
import { TrainingOptions } from '../training/TrainingOptions.js';
import { consoleLogger } from './consoleLogger.js';
import { coreModule } from './coreModule.js';
import type { ExperimentSpec } from './ExperimentSpec.js';
import { experimentSpecSchema } from './experimentSpecSchema.js';
import { Logger } from './Logger.js';

/**
 * Builds the container for one experiment: the kernel's module, the plugins' modules, and the
 * experiment's models, strategies and options. `container.get(Distiller)` then yields the loop.
 * Throws a one-line {@link DistilleryError} naming the first bad field.
 */
export function composeExperiment(spec: ExperimentSpec): Container {
  const parsed = experimentSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const { field, message } = issue === undefined ? { field: '(root)', message: 'invalid' } : describeZodIssue(issue, '');
    throw new DistilleryError(`${field}: ${message}`, field);
  }
  const experiment = parsed.data;
  const logger = experiment.logger ?? consoleLogger;
  if (experiment.teachers.some((teacher) => teacher.model === experiment.student.model)) {
    throw new DistilleryError('student.model: the student is also a teacher; distil into a fresh copy instead');
  }
  const models = [experiment.student.model, ...experiment.teachers.map(({ model }) => model)];
  experiment.peers.forEach((peer, i) => {
    if (models.includes(peer.model)) {
      throw new DistilleryError(
        `peers[${i}].model: the peer is also the student or a teacher; give each peer its own model`,
        `peers[${i}].model`,
      );
    }
    models.push(peer.model);
    const clash = [experiment.student.name, ...experiment.teachers.map(({ name }) => name)].includes(peer.name);
    if (clash)
      throw new DistilleryError(
        `peers[${i}].name: '${peer.name}' is already the student's or a teacher's name`,
        `peers[${i}].name`,
      );
  });

  const container = new Container({ defaultScope: 'Singleton' });
  // The same module listed twice (directly and through a plugin that re-exports it) binds once.
  container.load(coreModule, ...new Set(experiment.plugins as unknown as ContainerModule[]));
  container.bind(Logger).toConstantValue(logger);
  container.bind(TrainingOptions).toConstantValue(experiment.training);
  container.bind(BackendPreference).toConstantValue(experiment.backend);
  container.bind(Student).toConstantValue({
    name: experiment.student.name,
    model: experiment.student.model,
    trainable: experiment.student.trainable,
  });
  for (const teacher of experiment.teachers) {
    if (teacher.trainable === true) {
      logger.warn(`teacher '${teacher.name}' was given as trainable; teachers are frozen, so it will not train`);
    }
    if (!isForwardModel(teacher.model)) teacher.model.trainable = false;
    container.bind(Teacher).toConstantValue({ name: teacher.name, model: teacher.model });
  }
  for (const peer of experiment.peers) container.bind(Peer).toConstantValue({ name: peer.name, model: peer.model });
  for (const strategy of experiment.strategies) container.bind(StrategySpec).toConstantValue(strategy);
  if (experiment.teacherOutputStores !== undefined) {
    container.bind(TeacherOutputStoreFactory).toConstantValue(experiment.teacherOutputStores);
  }
  return container;
}
