import type { TopLevelSpec } from 'vega-lite';
import type { GridValue } from './GridValue.js';
import type { MetricsRecord } from './MetricsRecord.js';
import type { Summary } from './Summary.js';

const schema = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Every loss term per epoch, one panel per model trained, one line per term and seed. */
export function lossChart(records: readonly MetricsRecord[]): TopLevelSpec {
  const values = records.flatMap((record) =>
    Object.entries(record.losses).map(([term, loss]) => ({
      model: record.model,
      seed: record.seed,
      epoch: record.epoch + 1,
      term,
      loss,
    })),
  );
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
      color: { field: 'model', type: 'nominal' },
      detail: { field: 'seed', type: 'nominal' },
    },
  };
}

/** Test accuracy of every model: mean over seeds with ± one standard deviation. */
export function summaryChart(summary: Summary): TopLevelSpec {
  const values = Object.entries(summary.models).map(([model, result]) => ({
    model,
    mean: result.accuracy.mean,
    low: result.accuracy.mean - result.accuracy.std,
    high: result.accuracy.mean + result.accuracy.std,
  }));
  return {
    $schema: schema,
    title: `Test accuracy, mean ± std over ${summary.seeds.length} seed${summary.seeds.length === 1 ? '' : 's'}`,
    width: 480,
    height: 40 + 28 * values.length,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'model', type: 'nominal', sort: null, title: null },
          x: { field: 'mean', type: 'quantitative', title: 'accuracy', scale: { zero: false }, axis: { format: '.1%' } },
        },
      },
      {
        mark: { type: 'rule', color: 'black' },
        encoding: {
          y: { field: 'model', type: 'nominal', sort: null },
          x: { field: 'low', type: 'quantitative' },
          x2: { field: 'high' },
        },
      },
    ],
  };
}

/** Validation accuracy over a sweep's grid: a heatmap for two parameters, bars for one. */
export function sweepChart(
  points: readonly { readonly settings: Readonly<Record<string, GridValue>>; readonly accuracy: number }[],
): TopLevelSpec {
  const parameters = Object.keys(points[0]?.settings ?? {});
  const values = points.map((point) => ({ ...point.settings, accuracy: point.accuracy }));
  const [x, y] = parameters;
  if (x !== undefined && y !== undefined) {
    return {
      $schema: schema,
      title: 'Distilled student, validation accuracy over the grid',
      data: { values },
      layer: [
        {
          mark: 'rect',
          encoding: {
            x: { field: x, type: 'ordinal' },
            y: { field: y, type: 'ordinal' },
            color: { field: 'accuracy', type: 'quantitative', scale: { scheme: 'viridis' }, legend: { format: '.1%' } },
          },
        },
        {
          mark: { type: 'text', baseline: 'middle' },
          encoding: {
            x: { field: x, type: 'ordinal' },
            y: { field: y, type: 'ordinal' },
            text: { field: 'accuracy', type: 'quantitative', format: '.2%' },
            color: { value: 'white' },
          },
        },
      ],
      width: 60 * new Set(points.map((point) => point.settings[x])).size,
      height: 40 * new Set(points.map((point) => point.settings[y])).size,
    };
  }
  return {
    $schema: schema,
    title: 'Distilled student, validation accuracy over the grid',
    data: { values },
    mark: 'bar',
    width: 360,
    encoding: {
      x: { field: x ?? 'setting', type: 'ordinal' },
      y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, axis: { format: '.1%' } },
    },
  };
}
