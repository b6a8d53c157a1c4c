import type { ForwardModel, ModelOutputs } from '@distillery/core';
import { ModelView, modelFingerprint } from '@distillery/core/internal';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * `model` as a {@link ForwardModel} that answers after a turn of the event loop, as a runtime outside tfjs does (an
 * ONNX session): for testing the kernel's paths for such teachers — against the same model given as a LayersModel,
 * whose results they must equal — without installing a runtime. `features` are the layers it exposes as outputs.
 */
export function forwardModelOf(model: tfl.LayersModel, features: readonly string[] = []): ForwardModel {
  const silent = { info() {}, warn() {} };
  const views = new Map<string, ModelView>();
  const viewOf = (names: readonly string[]) => {
    const key = names.join('\n');
    const found = views.get(key) ?? new ModelView('forward model', model, names, silent);
    views.set(key, found);
    return found;
  };
  const shapes = viewOf(features).tapShapes();
  return {
    forwardOnly: true,
    description: `forward-only copy of ${model.name}`,
    inputShape: model.inputs[0]?.shape.slice(1) ?? [],
    numClasses: viewOf([]).numClasses,
    featureShapes: shapes,
    parameterCount: model.countParams(),
    fingerprint: async () => `forward:${await modelFingerprint(model)}`,
    async predict(inputs: tf.Tensor, names: readonly string[]): Promise<ModelOutputs> {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const view = viewOf(names);
      return tf.tidy(() => view.apply(inputs, false) as unknown as tf.TensorContainer) as unknown as ModelOutputs;
    },
    dispose() {},
  };
}
