import { isAbsolute, resolve } from 'node:path';
import { type ExperimentConfig, loadedModelTypes } from '@distillery/config';
import { createDistiller, DistilleryError, isForwardModel, StrategyFailure, type TeacherModel } from '@distillery/core';
import { loadPlugin } from '@distillery/node';
import type { ContainerModule } from 'inversify';
import { loadExperimentData } from './loadExperimentData.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import { resolveModel } from './resolveModel.js';
import { resolveTeacherModel } from './resolveTeacherModel.js';

const silent = { info() {}, warn() {} };

/**
 * Loads plugins, data and model files, and composes the distillation once with freshly built models,
 * so that every mistake in a config (an unknown plugin or strategy, a bad option, a tap on a missing
 * layer, data that does not fit the models) is found before a run directory is touched.
 */
export async function prepareExperiment(
  config: ExperimentConfig,
  baseDirectory: string,
  name: string,
  /** The run directory, when it is not `<output>/<name>` (a resumed run, found where it was left). */
  directory: string = resolve(config.output, name),
  /** How the data is read: a queue worker keeps the last dataset it loaded for the next job on the same data. */
  loadData: typeof loadExperimentData = loadExperimentData,
): Promise<PreparedExperiment> {
  const plugins: ContainerModule[] = [];
  for (const [i, specifier] of config.plugins.entries())
    plugins.push(await pluginFrom(specifier, baseDirectory, `plugins[${i}]`));
  const data = await loadData(config.data, baseDirectory);

  const fileTeachers = new Map<string, TeacherModel>();
  const trial: TeacherModel[] = [];
  let pretrainings: PreparedExperiment['pretrainings'] = [];
  try {
    const seed = config.seeds[0] as number;
    const teachers = [];
    for (const [i, teacher] of config.teachers.entries()) {
      const model = await resolveTeacherModel(teacher.model, {
        baseDirectory,
        inputShape: data.inputShape,
        classes: data.numClasses,
        name: teacher.name,
        seed,
        field: `teachers[${i}].model`,
      });
      if (loadedModelTypes.includes(teacher.model.type)) fileTeachers.set(teacher.name, model);
      else trial.push(model);
      teachers.push({ name: teacher.name, model });
    }
    const student = await resolveModel(config.student.model, {
      baseDirectory,
      inputShape: data.inputShape,
      classes: data.numClasses,
      name: config.student.name,
      seed,
      field: 'student.model',
    });
    trial.push(student);
    const peers = [];
    for (const [i, peer] of config.peers.entries()) {
      const model = await resolveModel(peer.model, {
        baseDirectory,
        inputShape: data.inputShape,
        classes: data.numClasses,
        name: peer.name,
        seed,
        field: `peers[${i}].model`,
      });
      trial.push(model);
      peers.push({ name: peer.name, model });
    }
    const { augment: _augment, ...training } = config.training;
    const distiller = createDistiller({
      teachers,
      student: { name: config.student.name, model: student },
      ...(peers.length === 0 ? {} : { peers }),
      strategies: config.strategies,
      training: { ...training, seed },
      plugins,
      backend: config.backend,
      logger: silent,
    });
    try {
      // Choosing the backend now makes one that is not installed a config error, found before anything is written.
      await distiller.useBackend(data.train);
      pretrainings = distiller.pretrainings();
      if (pretrainings.length > 1) {
        throw new DistilleryError(
          `strategies: ${pretrainings.map(({ term }) => term).join(', ')} each need a stage before the student's; one such strategy per experiment`,
          'strategies',
        );
      }
      const [pretrained] = pretrainings;
      const heldFixed = pretrained === undefined ? undefined : fileTeachers.get(pretrained.pretraining.teacher);
      if (pretrained !== undefined && isForwardModel(heldFixed)) {
        throw new DistilleryError(
          `strategies: ${pretrained.term} fits a module on teacher '${pretrained.pretraining.teacher}' in a stage of its own, which needs a tfjs model; it is ${heldFixed.description}`,
          'strategies',
        );
      }
    } finally {
      distiller.dispose();
    }
  } catch (error) {
    for (const model of fileTeachers.values()) model.dispose();
    // A strategy's own bug (StrategyFailure) is not the config's fault and keeps its name.
    throw error instanceof DistilleryError || error instanceof StrategyFailure
      ? error
      : new DistilleryError(`config: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    for (const model of trial) model.dispose();
  }
  return { config, baseDirectory, name, directory, plugins, data, fileTeachers, pretrainings };
}

/** A package name is looked up from the config's folder, then from the working directory (a config kept outside the project). */
async function pluginFrom(specifier: string, baseDirectory: string, field: string): Promise<ContainerModule> {
  const notFound = (error: unknown) =>
    error instanceof DistilleryError && error.message.startsWith(`${field}: cannot find plugin `);
  try {
    return await loadPlugin(specifier, baseDirectory, field);
  } catch (error) {
    const isPath = specifier.startsWith('.') || isAbsolute(specifier) || specifier.startsWith('file:');
    // A plugin that was found but failed to load says why; only a miss is worth a second place to look.
    if (isPath || !notFound(error) || resolve(baseDirectory) === process.cwd()) throw error;
    return loadPlugin(specifier, process.cwd(), field).catch((fromWorkingDirectory: unknown) => {
      if (!notFound(fromWorkingDirectory)) throw fromWorkingDirectory;
      throw new DistilleryError(`${field}: cannot find plugin '${specifier}' from ${baseDirectory} or ${process.cwd()}`, field);
    });
  }
}
