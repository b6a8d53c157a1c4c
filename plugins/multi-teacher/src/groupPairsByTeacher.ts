import { type FeatureTaps, resolveTeacherName, type StrategyCreationContext } from '@distillery/core';
import type { TeacherLayerPair } from './TeacherLayerPair.js';

/**
 * The teachers of a feature strategy's layer pairs, in the order they first appear (the order `weights`
 * refers to), each with the indices of its pairs, and the layers to tap. Unknown teachers fail with a
 * one-line error naming `<path>.pairs[i].teacher`.
 */
export function groupPairsByTeacher(
  pairs: readonly TeacherLayerPair[],
  strategyKey: string,
  context: StrategyCreationContext,
): { teachers: string[]; pairsOf: number[][]; taps: FeatureTaps } {
  const teachers: string[] = [];
  const pairsOf: number[][] = [];
  const teacherLayers: Record<string, string[]> = {};
  pairs.forEach((pair, index) => {
    const name = resolveTeacherName(pair.teacher, strategyKey, { ...context, path: `${context.path}.pairs[${index}]` });
    let k = teachers.indexOf(name);
    if (k === -1) {
      k = teachers.push(name) - 1;
      pairsOf.push([]);
      teacherLayers[name] = [];
    }
    pairsOf[k]?.push(index);
    const layers = teacherLayers[name] as string[];
    if (!layers.includes(pair.teacherLayer)) layers.push(pair.teacherLayer);
  });
  return {
    teachers,
    pairsOf,
    taps: { student: [...new Set(pairs.map((pair) => pair.student))], teachers: teacherLayers },
  };
}
