import type { TopLevelSpec } from 'vega-lite';
import type { GridValue } from './GridValue.js';
import type { MetricsRecord } from './MetricsRecord.js';
import type { Statistic } from './Statistic.js';
import type { Summary } from './Summary.js';
import { settingLabel } from './settingLabel.js';
import { settingNames } from './settingNames.js';

const schema = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Every loss term per epoch, one panel per model trained, one line per term and seed; the parts a strategy
 * reports are lines of their own, `term › part`.
 */
export function lossChart(records: readonly MetricsRecord[]): TopLevelSpec {
  const values = records.flatMap((record) => {
    const point = (term: string, loss: number) => ({
      model: record.model,
      seed: record.seed,
      epoch: record.epoch + 1,
      term,
      loss,
    });
    return [
      ...Object.entries(record.losses).map(([term, loss]) => point(term, loss)),
      ...Object.entries(record.lossParts ?? {}).flatMap(([term, parts]) =>
        Object.entries(parts).map(([part, loss]) => point(`${term} › ${part}`, loss)),
      ),
    ];
  });
  return {
    $schema: schema,
    title: 'Loss terms per epoch (unweighted, mean over batches)',
    data: { values },
    facet: { column: { field: 'model', type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: 160,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
        y: { field: 'loss', type: 'quantitative', scale: { zero: false } },
        color: { field: 'term', type: 'nominal' },
        detail: { field: 'seed', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Validation accuracy per epoch for every model trained, one line per seed. */
export function accuracyChart(records: readonly MetricsRecord[]): TopLevelSpec {
  const values = records
    .filter((record) => record.validation !== undefined)
    .map((record) => ({
      model: record.model,
      seed: record.seed,
      epoch: record.epoch + 1,
      accuracy: record.validation?.accuracy,
    }));
  return {
    $schema: schema,
    title: 'Validation accuracy per epoch',
    width: 480,
    height: 220,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, axis: { format: '.1%' } },
      color: { field: 'model', type: 'nominal', scale: modelColors(values.map((value) => value.model)) },
      detail: { field: 'seed', type: 'nominal' },
    },
  };
}

const teacherColors = ['#7f7f7f', '#8c564b', '#bcbd22', '#17becf', '#e377c2', '#c49c94'];

const peerColors = ['#98df8a', '#6b8e23', '#3cb371'];

/**
 * One colour per model, the same in every chart: student green and its peers lighter greens, baseline blue,
 * teachers grey and earth tones.
 */
function modelColors(models: readonly string[]): { domain: string[]; range: string[] } {
  const fixed: Record<string, string> = { student: '#2ca02c', baseline: '#1f77b4', ensemble: '#9467bd' };
  const order = (name: string) =>
    name.startsWith('teacher') ? 0 : name === 'ensemble' ? 1 : name === 'student' ? 2 : name.startsWith('peer:') ? 3 : 4;
  const domain = [...new Set(models)].sort((a, b) => order(a) - order(b));
  let [teachers, peers] = [0, 0];
  const range = domain.map(
    (name) =>
      fixed[name] ??
      (name.startsWith('peer:')
        ? (peerColors[peers++ % peerColors.length] as string)
        : (teacherColors[teachers++ % teacherColors.length] as string)),
  );
  return { domain, range };
}

/**
 * The gain from distillation on each seed (student − baseline, test accuracy, in points) as dots beside
 * a zero line that stands for the student trained alone, with the mean and its ± std band: whether
 * distillation helped, and how reliably, at a glance. Undefined without a baseline.
 */
export function gainChart(summary: Summary): TopLevelSpec | undefined {
  const { gain } = summary;
  if (gain === undefined) return undefined;
  const values = gain.values.map((value, i) => ({
    seed: `seed ${summary.seeds[i]}`,
    gain: 100 * value,
    label: `${value >= 0 ? '+' : '−'}${Math.abs(100 * value).toFixed(2)}`,
    outcome: value > 0 ? 'better than alone' : 'not better',
  }));
  const mean = { mean: 100 * gain.mean, low: 100 * (gain.mean - gain.std), high: 100 * (gain.mean + gain.std) };
  const x = { field: 'gain', type: 'quantitative', title: 'test accuracy gain over the student trained alone (points)' } as const;
  return {
    $schema: schema,
    title: {
      text: 'Gain from distillation, per seed',
      subtitle: `mean ${mean.mean >= 0 ? '+' : '−'}${Math.abs(mean.mean).toFixed(2)} ± ${(100 * gain.std).toFixed(2)} points (band: ± 1 std); 0 = the student trained alone`,
    },
    width: 480,
    height: 36 + 26 * values.length,
    layer: [
      {
        data: { values: [mean] },
        mark: { type: 'rect', color: '#2ca02c', opacity: 0.15 },
        encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
      },
      {
        data: { values: [mean] },
        mark: { type: 'rule', color: '#2ca02c', strokeDash: [4, 3] },
        encoding: { x: { field: 'mean', type: 'quantitative' } },
      },
      {
        data: { values: [{ gain: 0 }] },
        mark: { type: 'rule', color: 'black', strokeWidth: 2 },
        encoding: { x: { field: 'gain', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          x: { ...x, scale: { zero: true, nice: true } },
          y: { field: 'seed', type: 'nominal', title: null, sort: null },
          color: {
            field: 'outcome',
            type: 'nominal',
            title: null,
            scale: { domain: ['better than alone', 'not better'], range: ['#2ca02c', '#d62728'] },
          },
        },
      },
      {
        data: { values },
        mark: { type: 'text', dy: -11 },
        encoding: { x: x, y: { field: 'seed', type: 'nominal', sort: null }, text: { field: 'label' } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Test accuracy of every model on each seed, and their means, on an axis zoomed to the models' range
 * so that differences of a few tenths show; a grey line spans each row from its worst model to its best.
 */
export function seedAccuracyChart(summary: Summary): TopLevelSpec {
  const rows = [...summary.seeds.map((seed) => `seed ${seed}`), 'mean'];
  const values = Object.entries(summary.models).flatMap(([model, result]) => [
    ...result.accuracy.values.map((accuracy, i) => ({ model, row: rows[i], accuracy })),
    { model, row: 'mean', accuracy: result.accuracy.mean },
  ]);
  const spans = rows.map((row) => {
    const inRow = values.filter((value) => value.row === row).map((value) => value.accuracy);
    return { row, low: Math.min(...inRow), high: Math.max(...inRow) };
  });
  return {
    $schema: schema,
    title: { text: 'Test accuracy per seed', subtitle: "axis zoomed to the models' range" },
    width: 480,
    height: 36 + 26 * rows.length,
    layer: [
      {
        data: { values: spans },
        mark: { type: 'rule', color: '#bbb', strokeWidth: 2 },
        encoding: {
          y: { field: 'row', type: 'nominal', sort: rows, title: null },
          x: { field: 'low', type: 'quantitative' },
          x2: { field: 'high' },
        },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 80, opacity: 0.9 },
        encoding: {
          y: { field: 'row', type: 'nominal', sort: rows, title: null },
          x: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false }, axis: { format: '.1%' } },
          color: { field: 'model', type: 'nominal', title: 'model', scale: modelColors(Object.keys(summary.models)) },
          tooltip: [{ field: 'model' }, { field: 'accuracy', format: '.2%' }],
        },
      },
    ],
  } as TopLevelSpec;
}

/** What the sweep chart needs of one grid point. */
export interface SweepChartPoint {
  readonly settings: Readonly<Record<string, GridValue>>;
  /** The distilled student's validation accuracy, mean over seeds. */
  readonly accuracy: number;
  /** Student − baseline validation accuracy, paired by seed; absent when the config has no baseline. */
  readonly validationGain?: Statistic;
}

/**
 * A sweep on validation: the gain over the student trained alone at each grid point, mean ± std over
 * seeds, against a zero line that stands for the baseline (without a baseline, the student's validation
 * accuracy on a zoomed axis). The first parameter runs along x; each combination of the others is a line.
 * The point chosen on validation is ringed and labelled.
 */
export function sweepChart(points: readonly SweepChartPoint[], chosen: number): TopLevelSpec {
  const parameters = Object.keys(points[0]?.settings ?? {});
  const names = settingNames(parameters);
  const [first, ...others] = parameters;
  const label = (settings: Readonly<Record<string, GridValue>>, keys: readonly string[]) => settingLabel(settings, keys, names);
  const withGain = points.every((point) => point.validationGain !== undefined);
  const values = points.map((point, i) => {
    const gain = point.validationGain;
    const y = gain === undefined ? 100 * point.accuracy : 100 * gain.mean;
    const spread = gain === undefined ? 0 : 100 * gain.std;
    return {
      x: first === undefined ? '' : String(point.settings[first]),
      series: others.length === 0 ? 'all' : label(point.settings, others),
      y,
      low: y - spread,
      high: y + spread,
      chosen: i === chosen ? 'chosen' : '',
    };
  });
  const xOrder = [...new Set(values.map((value) => value.x))];
  const x = {
    field: 'x',
    type: 'ordinal',
    sort: xOrder,
    title: first === undefined ? null : names[first],
    axis: { labelAngle: 0 },
  } as const;
  // Vega lays a chart out around its titles' full length, so these stay shorter than the plot.
  const yTitle = withGain ? 'gain over alone (points)' : 'student accuracy (%)';
  const color = others.length === 0 ? { value: '#2ca02c' } : { field: 'series', type: 'nominal', title: null, sort: null };
  return {
    $schema: schema,
    title: {
      text: withGain ? 'Gain from distillation over the grid (validation)' : 'Distilled student over the grid (validation)',
      subtitle: `mean ± std over seeds${withGain ? '; 0 = trained alone' : ''}; ringed: chosen`,
    },
    width: Math.max(240, 70 * xOrder.length),
    height: 260,
    layer: [
      ...(withGain
        ? [
            {
              data: { values: [{ y: 0, text: 'student trained alone' }] },
              layer: [
                { mark: { type: 'rule', color: 'black', strokeWidth: 2 }, encoding: { y: { field: 'y', type: 'quantitative' } } },
                {
                  mark: { type: 'text', align: 'left', dy: -7, x: 4, color: 'black' },
                  encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'text' } },
                },
              ],
            },
          ]
        : []),
      {
        data: { values },
        layer: [
          { mark: { type: 'line' }, encoding: { x, y: { field: 'y', type: 'quantitative' }, color } },
          {
            mark: { type: 'rule' },
            encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color },
          },
          {
            mark: { type: 'point', filled: true, size: 60 },
            encoding: {
              x,
              y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: withGain } },
              color,
              tooltip: [{ field: 'series' }, { field: 'x' }, { field: 'y', format: '.2f' }],
            },
          },
          {
            transform: [{ filter: "datum.chosen !== ''" }],
            mark: { type: 'point', size: 380, strokeWidth: 2, color: 'black' },
            encoding: { x, y: { field: 'y', type: 'quantitative' } },
          },
          {
            transform: [{ filter: "datum.chosen !== ''" }],
            mark: { type: 'text', dy: -18, fontWeight: 'bold' },
            encoding: { x, y: { field: 'y', type: 'quantitative' }, text: { field: 'chosen' } },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}
