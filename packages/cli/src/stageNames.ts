/** Stage names of one seed's replicate, unique across seeds so all share one run directory. */
export const stageNames = {
  teacher: (seed: number, teacher: string) => `seed${seed}-teacher-${teacher}`,
  student: (seed: number) => `seed${seed}-student`,
  baseline: (seed: number) => `seed${seed}-baseline`,
  /** A strategy's own stage before the student's (factor transfer's paraphraser), by its term name. */
  pretraining: (seed: number, term: string) => `seed${seed}-pretrain-${term}`,
};
