import { changeset, parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface LossPoint {
  readonly step: number;
  readonly term: string;
  readonly loss: number;
}

export interface AccuracyPoint {
  readonly epoch: number;
  /** 'teacher' or 'student'. */
  readonly model: string;
  readonly accuracy: number;
}

const lossSpec: TopLevelSpec = {
  width: 460,
  height: 260,
  data: { name: 'points' },
  mark: { type: 'line', interpolate: 'monotone' },
  encoding: {
    x: { field: 'step', type: 'quantitative', title: 'optimizer step' },
    y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
    color: { field: 'term', type: 'nominal', title: 'term', legend: { orient: 'bottom', labelLimit: 0 } },
  },
};

const accuracySpec: TopLevelSpec = {
  width: 460,
  height: 260,
  data: { name: 'points' },
  mark: { type: 'line', point: true },
  encoding: {
    x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
    // The whole range from the start: axis labels keep their width as rows arrive, and the gap reads at its true size.
    y: {
      field: 'accuracy',
      type: 'quantitative',
      title: 'validation accuracy',
      axis: { format: '.0%' },
      scale: { domain: [0, 1] },
    },
    color: {
      field: 'model',
      type: 'nominal',
      title: 'model',
      scale: { domain: ['teacher', 'student'] },
      legend: { orient: 'bottom' },
    },
  },
};

/**
 * The page's two charts, drawn by vega on canvases and fed row by row while training runs: vega-lite compiles each
 * spec once, and new rows go in as changesets of the named data source `points`, so a chart redraws without being
 * rebuilt.
 */
export class LiveCharts {
  private readonly loss: View;
  private readonly accuracy: View;

  constructor(lossContainer: HTMLElement, accuracyContainer: HTMLElement) {
    this.loss = new View(parse(compile(lossSpec).spec), { renderer: 'canvas', container: lossContainer, hover: true });
    this.accuracy = new View(parse(compile(accuracySpec).spec), { renderer: 'canvas', container: accuracyContainer });
    void this.loss.runAsync();
    void this.accuracy.runAsync();
  }

  addLoss(points: readonly LossPoint[]): Promise<View> {
    return this.loss.change('points', changeset().insert(points)).runAsync();
  }

  addAccuracy(points: readonly AccuracyPoint[]): Promise<View> {
    return this.accuracy.change('points', changeset().insert(points)).runAsync();
  }

  /** Empties both charts, for a new run; `model` keeps that model's accuracy rows (the teacher's, for a new student). */
  clear(keepModel?: string): Promise<unknown> {
    return Promise.all([
      this.loss
        .change(
          'points',
          changeset().remove(() => true),
        )
        .runAsync(),
      this.accuracy
        .change(
          'points',
          changeset().remove((row: AccuracyPoint) => row.model !== keepModel),
        )
        .runAsync(),
    ]);
  }
}
