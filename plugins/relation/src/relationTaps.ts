import type { FeatureTaps } from '@distillery/core';
import type { RelationPair } from './RelationPair.js';

/** The layers a relation strategy over `pairs` of `teacher` asks the kernel to tap; none when it relates logits. */
export function relationTaps(pairs: readonly RelationPair[] | undefined, teacher: string): FeatureTaps | undefined {
  if (pairs === undefined) return undefined;
  return {
    student: [...new Set(pairs.map((pair) => pair.student))],
    teachers: { [teacher]: [...new Set(pairs.map((pair) => pair.teacher))] },
  };
}
