import type { TrainingOptions } from './TrainingOptions.js';

/** The learning rate for a zero-based optimizer step under the experiment's schedule and warm-up. */
export function learningRateAt(options: TrainingOptions, step: number, stepsPerEpoch: number): number {
  const base = options.optimizer.learningRate;
  const totalSteps = Math.max(1, options.epochs * stepsPerEpoch);
  const schedule = options.schedule;
  let rate = base;
  if (schedule.type === 'step') {
    const epoch = Math.floor(step / stepsPerEpoch);
    rate = base * schedule.gamma ** Math.floor(epoch / schedule.everyEpochs);
  } else if (schedule.type === 'multistep') {
    const epoch = Math.floor(step / stepsPerEpoch);
    rate = base * schedule.gamma ** schedule.milestones.filter((milestone) => milestone <= epoch).length;
  } else if (schedule.type === 'cosine') {
    const progress = Math.min(1, step / Math.max(1, totalSteps - 1));
    rate = schedule.minLearningRate + 0.5 * (base - schedule.minLearningRate) * (1 + Math.cos(Math.PI * progress));
  }
  const warmupSteps = Math.round(options.warmupEpochs * stepsPerEpoch);
  if (step < warmupSteps) rate *= (step + 1) / warmupSteps;
  return rate;
}
