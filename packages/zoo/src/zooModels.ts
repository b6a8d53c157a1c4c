import { resolveZooKey } from './resolveZooKey.js';
import type { ZooModelInfo } from './ZooModelInfo.js';
import { zooParameterCounts } from './zooParameterCounts.js';

/**
 * Every listed zoo model: key, one-line description, paper, and its trainable parameter count for a given
 * number of classes. `buildZooModel` also takes any other valid `resnet<d>`, `resnet<d>x4`, `wrn-<d>-<k>`.
 */
export const zooModels: readonly ZooModelInfo[] = Object.entries(zooParameterCounts).map(([key, counts]) => {
  const { description, paper } = resolveZooKey(key);
  return { key, description, paper, parameters: (classes: number) => counts.backbone + (counts.features + 1) * classes };
});
