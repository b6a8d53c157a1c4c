import type { DistillationContext, DistillationStrategy, StrategyFactory, TapShapes } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A strategy that records what the kernel gives it: loss = mean(z_s²) · scale, which pulls the
 * student's logits towards 0. `calls` counts loss calls; `shapes` holds what `build` received.
 */
export class FakeStrategy implements DistillationStrategy {
  readonly key = 'testing.fake';
  calls = 0;
  shapes: TapShapes | undefined;
  lastEpoch = -1;

  constructor(
    readonly scale = 1,
    readonly taps: DistillationStrategy['taps'] = {},
  ) {}

  build(shapes: TapShapes): void {
    this.shapes = shapes;
  }

  loss(context: DistillationContext): tf.Scalar {
    this.calls++;
    this.lastEpoch = context.epoch;
    return tf.mul(tf.mean(tf.square(context.student.logits)), this.scale) as tf.Scalar;
  }
}

/** A factory for `testing.fake` that hands out one shared {@link FakeStrategy}, so a test can inspect it. */
export function fakeStrategyFactory(instance = new FakeStrategy()): StrategyFactory & { readonly instance: FakeStrategy } {
  return {
    key: 'testing.fake',
    description: 'records its calls; loss = mean(z_s²)',
    instance,
    create: () => instance,
  };
}
