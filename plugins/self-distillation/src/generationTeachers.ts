import type * as tfl from '@tensorflow/tfjs-layers';
import { selectGenerations } from './selectGenerations.js';

/**
 * The trained generations as the teachers of a later experiment or stage, each named after its stage
 * (`[{ name: 'gen1', model }, { name: 'gen2', model }]`), e.g. for a multi-teacher strategy. The models are
 * shared, not copied: they stay the caller's to dispose, and an experiment that uses them freezes them.
 *
 * @param generations the results of a born-again run (`runBornAgain(...).generations` or `runStages`'s results), generation k at index k
 * @param options.generations which generations to take, by index. Default: all.
 */
export function generationTeachers(
  generations: readonly { readonly name: string; readonly model: tfl.LayersModel }[],
  options: { readonly generations?: readonly number[] } = {},
): { name: string; model: tfl.LayersModel }[] {
  return selectGenerations(options.generations, generations.length, 'generations').map((k) => {
    const { name, model } = generations[k] as { name: string; model: tfl.LayersModel };
    return { name, model };
  });
}
