import * as tf from '@tensorflow/tfjs-core';
import { AttentionBasedFusion } from './AttentionBasedFusion.js';
import type { KnowledgeReviewOptions } from './KnowledgeReviewOptions.js';

/**
 * ReviewKD's review path (Chen, Liu, Zhao, Jia 2021, "Distilling Knowledge via Knowledge Review", CVPR,
 * figure 2(d)/3(a)): one {@link AttentionBasedFusion} per student stage, run from the deepest stage up. Stage n
 * (the deepest) is transformed on its own (the reference's first ABF has `fuse=False`); each shallower stage i
 * fuses its own feature with the residual of stage i + 1, so review output i carries stages i … n. The outputs
 * come back in stage order, shallow → deep, one per teacher stage.
 *
 * Stage p's variables are named `pairs[p]/<local>` through `variableName` and seeded `${seed}/${p}/…`.
 */
export class KnowledgeReview {
  private readonly modules: readonly AttentionBasedFusion[];

  constructor(options: KnowledgeReviewOptions) {
    const { stages, midChannels, variableName, seed } = options;
    const modules: AttentionBasedFusion[] = [];
    try {
      stages.forEach((stage, index) => {
        modules.push(
          new AttentionBasedFusion({
            variableName: (local) => variableName(`pairs[${index}]/${local}`),
            inChannels: stage.inChannels,
            midChannels,
            outChannels: stage.outChannels,
            fuse: index < stages.length - 1,
            seed: `${seed}/${index}`,
          }),
        );
      });
    } catch (error) {
      for (const module of modules) module.dispose();
      throw error;
    }
    this.modules = modules;
  }

  /** The stages' modules, shallow → deep. */
  get stages(): readonly AttentionBasedFusion[] {
    return this.modules;
  }

  /**
   * The review outputs for the student's stage features, both in stage order (shallow → deep):
   * output i [B, H_i, W_i, C_out,i] from features i … n. The caller owns the results.
   */
  apply(features: readonly tf.Tensor4D[]): tf.Tensor4D[] {
    if (features.length !== this.modules.length) {
      throw new Error(`KnowledgeReview: expected ${this.modules.length} stage features, got ${features.length}`);
    }
    return tf.tidy(() => {
      const outputs: tf.Tensor4D[] = new Array(features.length);
      let residual: tf.Tensor4D | undefined;
      for (let index = features.length - 1; index >= 0; index--) {
        const fused = (this.modules[index] as AttentionBasedFusion).apply(features[index] as tf.Tensor4D, residual);
        outputs[index] = fused.output;
        residual = fused.residual;
      }
      return outputs;
    });
  }

  /** Every stage's variables, stage by stage (shallow → deep). */
  variables(): tf.Variable[] {
    return this.modules.flatMap((module) => module.variables());
  }

  dispose(): void {
    for (const module of this.modules) module.dispose();
  }
}
