import { stageNames } from './stageNames.js';

/** The model a stage of one seed trains, as metrics.jsonl names it: `student`, `baseline`, `teacher:<name>`, `pretraining:<term>`. */
export function modelOfStage(stage: string, seed: number): string {
  if (stage === stageNames.student(seed)) return 'student';
  if (stage.startsWith(stageNames.pretraining(seed, '')))
    return `pretraining:${stage.slice(stageNames.pretraining(seed, '').length)}`;
  if (stage === stageNames.baseline(seed)) return 'baseline';
  return `teacher:${stage.slice(stageNames.teacher(seed, '').length)}`;
}
