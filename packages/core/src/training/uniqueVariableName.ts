import * as tf from '@tensorflow/tfjs-core';

/**
 * `name`, or `name#2`, `name#3`… when a live variable already has it: tfjs refuses two variables of one
 * name and keys gradients by name, and two experiments (or two terms of one key) may be alive at once.
 */
export function uniqueVariableName(name: string): string {
  const live = tf.engine().state.registeredVariables;
  if (live[name] === undefined) return name;
  let suffix = 2;
  while (live[`${name}#${suffix}`] !== undefined) suffix++;
  return `${name}#${suffix}`;
}
