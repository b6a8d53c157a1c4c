import { type DistillationStrategy, DistilleryError, type TapShapes } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { PairRelationSpec } from './PairRelationSpec.js';
import { pairedFeatures } from './pairedFeatures.js';
import { relationTaps } from './relationTaps.js';

/**
 * A relation strategy: on every batch, the method's terms for each (student layer, teacher layer) pair, or for the
 * two models' logits, averaged over the pairs; the total is `totalOf` of those means. Relations compare examples
 * with examples, so student and teacher widths may differ and no adapter is needed; the strategy owns no variables.
 */
export function pairRelationStrategy(spec: PairRelationSpec): DistillationStrategy {
  const { key, context, teacher, pairs, termsOf, totalOf, lossParts, checkShapes } = spec;
  const taps = relationTaps(pairs, teacher);
  return {
    key,
    ...(taps === undefined ? {} : { taps }),
    ...(lossParts === undefined ? {} : { lossParts }),
    build: (shapes: TapShapes) => {
      pairs?.forEach((pair, index) => {
        const where = `${context.path}.pairs[${index}]`;
        const studentShape = shapes.student[pair.student];
        const teacherShape = shapes.teachers[teacher]?.[pair.teacher];
        if (studentShape === undefined || teacherShape === undefined) {
          throw new DistilleryError(`${where}: the kernel gave no shape for a tapped layer`, where);
        }
        checkShapes?.(studentShape, teacherShape, where);
      });
    },
    loss: (batch) =>
      tf.tidy(() => {
        const perPair = pairedFeatures(batch, pairs, teacher, key).map(({ student, teacher: target }) =>
          termsOf(student, target),
        );
        const names = Object.keys(perPair[0] ?? {});
        const means = Object.fromEntries(
          names.map((name) => [
            name,
            tf.div(tf.addN(perPair.map((terms) => terms[name] as tf.Scalar)), perPair.length) as tf.Scalar,
          ]),
        );
        const total = totalOf(means);
        if (lossParts === undefined) return total;
        return { total, parts: Object.fromEntries(lossParts.map((part) => [part, means[part] as tf.Scalar])) };
      }),
  };
}
