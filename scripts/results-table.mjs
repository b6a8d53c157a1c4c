// Prints the Markdown results table of finished runs, from their summary.json files: test accuracy and
// test errors (mean ± std over seeds), validation accuracy, parameters, wall time and backend. Given a
// sweep directory, one row per point for the distilled student, and the shared models once.
//
//   node scripts/results-table.mjs <run dir | sweep dir> [...]
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const pct = (statistic) => `${(100 * statistic.mean).toFixed(2)} ± ${(100 * statistic.std).toFixed(2)}`;
const errors = (statistic, test) => `${((1 - statistic.mean) * test).toFixed(1)} ± ${(statistic.std * test).toFixed(1)}`;
const minutes = (seconds) => `${(seconds / 60).toFixed(1)} min`;

async function summaryOf(directory) {
  return JSON.parse(await readFile(join(directory, 'summary.json'), 'utf8'));
}

function row(label, model, summary) {
  return `| ${label} | ${pct(model.accuracy)} | ${errors(model.accuracy, summary.examples.test)} | ${pct(model.validationAccuracy)} | ${model.parameters.toLocaleString('en')} |`;
}

const header = [
  '| model | test accuracy, % | test errors | validation accuracy, % | parameters |',
  '| --- | --- | --- | --- | --- |',
];

for (const directory of process.argv.slice(2)) {
  const entries = await readdir(directory);
  if (entries.includes('sweep.json')) {
    const sweep = JSON.parse(await readFile(join(directory, 'sweep.json'), 'utf8'));
    const summaries = await Promise.all(sweep.points.map((point) => summaryOf(point.directory)));
    const first = summaries[0];
    console.log(header.join('\n'));
    for (const [name, model] of Object.entries(first.models)) {
      if (model.role !== 'student') console.log(row(name, model, first));
    }
    sweep.points.forEach((point, i) => {
      const setting = Object.entries(point.settings)
        .map(([key, value]) => `${key} = ${value}`)
        .join(', ');
      const summary = summaries[i];
      const gain = summary.gain === undefined ? '' : ` (gain ${pct(summary.gain)})`;
      console.log(row(`student, ${setting}${gain}`, summary.models.student, summary));
    });
    const wall = summaries.reduce((total, summary) => total + summary.wallSeconds, 0);
    console.log(
      `\n${first.examples.train} training, ${first.examples.validation} validation, ${first.examples.test} test examples; seeds ${first.seeds.join(', ')}; backend ${first.backend}; wall time ${minutes(wall)} (all points). Best on validation: ${JSON.stringify(sweep.best.settings)}.\n`,
    );
  } else {
    const summary = await summaryOf(directory);
    console.log(header.join('\n'));
    for (const [name, model] of Object.entries(summary.models)) console.log(row(name, model, summary));
    const gain =
      summary.gain === undefined ? '' : ` Gain of the distilled student over the baseline: ${pct(summary.gain)} points.`;
    console.log(
      `\n${summary.examples.train} training, ${summary.examples.validation} validation, ${summary.examples.test} test examples; seeds ${summary.seeds.join(', ')}; backend ${summary.backend}; wall time ${minutes(summary.wallSeconds)}.${gain}\n`,
    );
  }
}
