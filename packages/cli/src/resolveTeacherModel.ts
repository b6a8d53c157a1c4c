import { resolve } from 'node:path';
import type { ModelConfig } from '@distillery/config';
import { DistilleryError, type TeacherModel } from '@distillery/core';
import { loadGraphModel } from '@distillery/node';
import { optionalPackage } from './optionalPackage.js';
import { type ResolveModelOptions, resolveModel } from './resolveModel.js';

type OnnxConfig = Extract<ModelConfig, { type: 'onnx' }>;
type GraphModelConfig = Extract<ModelConfig, { type: 'graph-model' }>;

/**
 * A teacher's model: built fresh from the zoo, or loaded and used as it is — a tfjs model directory, an ONNX file
 * (through @distillery/teacher-onnx, an optional package, as onnxruntime is large) or a TF.js GraphModel. Every
 * problem is one line naming the field.
 */
export async function resolveTeacherModel(config: ModelConfig, options: ResolveModelOptions): Promise<TeacherModel> {
  if (config.type === 'onnx') return loadOnnx(config, options);
  if (config.type === 'graph-model') return loadGraphModelTeacherFrom(config, options);
  return resolveModel(config, options);
}

async function loadOnnx(config: OnnxConfig, options: ResolveModelOptions): Promise<TeacherModel> {
  const onnx = await optionalPackage(
    () => import('@distillery/teacher-onnx'),
    '@distillery/teacher-onnx',
    `${options.field}.type: an onnx teacher`,
  );
  const path = resolve(options.baseDirectory, config.path);
  return prefixed(options.field, () =>
    onnx.loadOnnxTeacher(path, {
      inputShape: options.inputShape,
      ...(config.input === undefined ? {} : { input: config.input }),
      ...(config.layout === undefined ? {} : { layout: config.layout }),
      ...(config.logits === undefined ? {} : { logits: config.logits }),
      ...(config.features === undefined ? {} : { features: config.features }),
    }),
  );
}

async function loadGraphModelTeacherFrom(config: GraphModelConfig, options: ResolveModelOptions): Promise<TeacherModel> {
  const graph = await optionalPackage(
    () => import('@distillery/teacher-graph-model'),
    '@distillery/teacher-graph-model',
    `${options.field}.type: a graph-model teacher`,
  );
  const path = resolve(options.baseDirectory, config.path);
  const model = await prefixed(`${options.field}.path`, () => loadGraphModel(path));
  try {
    return await prefixed(options.field, () =>
      graph.graphModelTeacher(model, {
        inputShape: options.inputShape,
        description: `TF.js GraphModel ${config.path}`,
        features: config.features,
        ...(config.logits === undefined ? {} : { logits: config.logits }),
      }),
    );
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Imports a package the CLI does not depend on, with the line saying how to install it when it is missing. */
/** Runs `load`, giving its one-line errors the config field they are about (`teachers[0].model: …`). */
async function prefixed<T>(field: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!(error instanceof DistilleryError)) throw error;
    throw new DistilleryError(`${field}: ${error.message}`, field);
  }
}
