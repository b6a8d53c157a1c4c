import type { GridValue } from './GridValue.js';
import type { SweepPlanPoint } from './SweepPlanPoint.js';

/** Where a queued study lives, on storage every worker sees. */
export interface StudyPlace {
  readonly kind: 'run' | 'sweep';
  /** The run's or the sweep's name and directory. */
  readonly name: string;
  readonly directory: string;
  /** The config file's folder: relative paths in the configs (plugins, data, model files) resolve from it. */
  readonly baseDirectory: string;
  readonly configPath: string;
  /** The stage store every point shares, laid out by fingerprint for a sweep. */
  readonly stageRoot: string;
  readonly stageLayout: 'by-name' | 'by-fingerprint';
  readonly grid?: Readonly<Record<string, readonly GridValue[]>>;
}

/**
 * What one queued job does, as plain data: train the stages every point shares (`setup`: each teacher once per seed,
 * or the baseline), run one point's seed (`run`), or sum the study up (`summary`: summary.json per point, then
 * sweep.json). Points finished before the study was submitted are `kept`: summed up, never run again.
 */
export type StudyJob =
  | {
      readonly step: 'setup';
      readonly place: StudyPlace;
      readonly point: SweepPlanPoint;
      readonly seed: number;
      readonly stages: 'teachers' | 'baseline';
    }
  | { readonly step: 'run'; readonly place: StudyPlace; readonly point: SweepPlanPoint; readonly seed: number }
  | {
      readonly step: 'summary';
      readonly place: StudyPlace;
      readonly points: readonly (SweepPlanPoint & { readonly kept: boolean })[];
    };
