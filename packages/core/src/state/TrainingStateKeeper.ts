import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DistilleryError } from '../errors/DistilleryError.js';
import { randomDrawsLayers } from '../models/randomDrawsLayers.js';
import type { EpochMetrics } from '../training/EpochMetrics.js';
import type { StateTensor } from './StateTensor.js';
import { checkShapes, stateTensorOf, tensorOf } from './stateTensors.js';
import type { TrainingState } from './TrainingState.js';

/** Where the training loop stands when its state is captured. */
export interface LoopPosition {
  readonly epoch: number;
  readonly batch: number;
  readonly history: readonly EpochMetrics[];
  readonly epochSums: readonly number[];
}

/**
 * Captures and restores everything a training run needs to continue (see {@link TrainingState}): the
 * student's weights, the strategies' variables, the optimizer's state and the layers' random draws.
 * Optimizer slots are saved under their variable's position among the trainable variables (`#3/m`),
 * not its name, because tfjs numbers variable names per process and a resumed run names them anew.
 */
export class TrainingStateKeeper {
  constructor(
    private readonly model: tfl.LayersModel,
    /** The student's trainable variables, then the strategies': the order of the optimizer's slots. */
    private readonly trainable: readonly tf.Variable[],
    private readonly strategyVariables: readonly tf.Variable[],
    private readonly optimizer: tf.Optimizer,
    /** The strategies' untrained state (`DistillationStrategy.state`), in strategy order; asked for when needed, since `prepare` may make it. */
    private readonly strategyState: () => readonly tf.Variable[] = () => [],
    /** Models trained with the student (online distillation), in experiment order. */
    private readonly peers: readonly { readonly name: string; readonly model: tfl.LayersModel }[] = [],
  ) {}

  /** Copies every value, so training may go on while the state is being written. */
  async capture(position: LoopPosition, globalStep: number, teacherCacheKey: string | null): Promise<TrainingState> {
    const optimizerWeights = await this.optimizer.getWeights();
    try {
      return {
        version: 1,
        ...position,
        globalStep,
        teacherCacheKey,
        studentWeights: await Promise.all(this.model.getWeights().map(stateTensorOf)),
        strategyWeights: await Promise.all(this.strategyVariables.map(stateTensorOf)),
        strategyState: await Promise.all(this.strategyState().map(stateTensorOf)),
        ...(this.peers.length === 0
          ? {}
          : {
              peerWeights: await Promise.all(this.peers.map(({ model }) => Promise.all(model.getWeights().map(stateTensorOf)))),
            }),
        optimizer: await Promise.all(
          optimizerWeights.map(async ({ name, tensor }) => ({
            name: this.positionalName(name),
            tensor: await stateTensorOf(tensor),
          })),
        ),
        layerDraws: Object.fromEntries(this.drawingLayers().map(([name, layer]) => [name, layer.randomDraws])),
      };
    } finally {
      // tfjs's optimizers hand out their own slot variables; Distillery's Adam hands out copies.
      tf.dispose(optimizerWeights.map(({ tensor }) => tensor).filter((tensor) => !(tensor instanceof tf.Variable)));
    }
  }

  /** Puts the weights, optimizer state and random draws of `state` back; the caller takes its step count. */
  async restore(state: TrainingState): Promise<void> {
    const where = 'checkpoint';
    const studentWeights = this.model.getWeights();
    checkShapes(`${where}: student weights`, state.studentWeights, studentWeights);
    checkShapes(`${where}: strategy variables`, state.strategyWeights, this.strategyVariables);
    const strategyState = this.strategyState();
    checkShapes(`${where}: strategy state`, state.strategyState ?? [], strategyState);
    // Every check before the first write, so a refused checkpoint changes nothing.
    const peerWeights = state.peerWeights ?? [];
    if (peerWeights.length !== this.peers.length) {
      throw new DistilleryError(`${where}: the checkpoint has ${peerWeights.length} peers, this experiment ${this.peers.length}`);
    }
    this.peers.forEach(({ name, model }, i) => {
      checkShapes(`${where}: peer '${name}' weights`, peerWeights[i] as readonly StateTensor[], model.getWeights());
    });
    const studentTensors = state.studentWeights.map(tensorOf);
    this.model.setWeights(studentTensors);
    tf.dispose(studentTensors);
    this.peers.forEach(({ model }, i) => {
      const tensors = (peerWeights[i] as readonly StateTensor[]).map(tensorOf);
      model.setWeights(tensors);
      tf.dispose(tensors);
    });
    this.strategyVariables.forEach((variable, i) => {
      const value = tensorOf(state.strategyWeights[i] as StateTensor);
      variable.assign(value);
      value.dispose();
    });
    strategyState.forEach((variable, i) => {
      const value = tensorOf((state.strategyState ?? [])[i] as StateTensor);
      variable.assign(value);
      value.dispose();
    });
    const optimizerWeights = state.optimizer.map(({ name, tensor }) => ({
      name: this.variableName(name),
      tensor: tensorOf(tensor),
    }));
    try {
      await this.optimizer.setWeights(optimizerWeights);
    } finally {
      // The optimizers copy what they keep (Distillery's Adam clones, tfjs's make variables of them).
      tf.dispose(optimizerWeights.map(({ tensor }) => tensor));
    }
    for (const [name, layer] of this.drawingLayers()) layer.randomDraws = state.layerDraws[name] ?? 0;
  }

  /** The student's layers with their own randomness, then each peer's under `<peer>/<layer>`. */
  private drawingLayers() {
    return [
      ...randomDrawsLayers(this.model),
      ...this.peers.flatMap(({ name, model }) =>
        randomDrawsLayers(model).map(([layer, drawing]) => [`${name}/${layer}`, drawing] as const),
      ),
    ];
  }

  /** `<variable>/m` as `#<position among the trainable variables>/m`; 'iter' and the like unchanged. */
  private positionalName(name: string): string {
    let best = -1;
    this.trainable.forEach((variable, i) => {
      if (name.startsWith(`${variable.name}/`) && (best < 0 || variable.name.length > (this.trainable[best]?.name.length ?? 0)))
        best = i;
    });
    return best < 0 ? name : `#${best}/${name.slice((this.trainable[best] as tf.Variable).name.length + 1)}`;
  }

  /** The inverse of `positionalName` for these variables. */
  private variableName(name: string): string {
    const match = /^#(\d+)\/(.*)$/.exec(name);
    if (match === null) return name;
    const variable = this.trainable[Number(match[1])];
    if (variable === undefined) {
      throw new DistilleryError(
        `checkpoint: optimizer state '${name}' refers to variable ${match[1]}, but there are ${this.trainable.length}`,
      );
    }
    return `${variable.name}/${match[2]}`;
  }
}
