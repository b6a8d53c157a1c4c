import type { TopLevelSpec } from 'vega-lite';
import { describeGain } from './describeGain.js';
import { escapeHtml } from './escapeHtml.js';
import { helpedOnEverySeed } from './helpedOnEverySeed.js';
import type { MetricsRecord } from './MetricsRecord.js';
import { renderSvg } from './renderSvg.js';
import { accuracyChart, gainChart, lossChart, seedAccuracyChart } from './reportCharts.js';
import type { Summary } from './Summary.js';

const percent = (value: number) => `${(100 * value).toFixed(2)}%`;
const plusMinus = (mean: number, std: number) => `${percent(mean)} ± ${(100 * std).toFixed(2)}`;

/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) with the
 * summary table, the gain from distillation, the teachers' diagnostics and the training curves.
 */
export async function renderReport(
  summary: Summary,
  records: readonly MetricsRecord[],
  extraCharts: readonly TopLevelSpec[] = [],
): Promise<string> {
  const charts = await Promise.all(
    [gainChart(summary), seedAccuracyChart(summary), lossChart(records), accuracyChart(records), ...extraCharts]
      .filter((chart) => chart !== undefined)
      .map(renderSvg),
  );
  const rows = Object.entries(summary.models)
    .map(
      ([name, model]) => `<tr><td>${escapeHtml(name)}</td><td>${plusMinus(model.accuracy.mean, model.accuracy.std)}</td>
<td>${plusMinus(model.validationAccuracy.mean, model.validationAccuracy.std)}</td><td>${model.parameters.toLocaleString('en-US')}</td>
<td>${(model.bytes / 1024).toFixed(1)} KiB</td><td>${model.latencyMsPerExample.toFixed(4)} ms</td></tr>`,
    )
    .join('\n');
  const [verdict, ...details] = describeGain(summary);
  const helped = helpedOnEverySeed(summary.gain);
  const gain =
    verdict === undefined
      ? ''
      : `<p class="verdict ${helped ? 'helped' : 'not-helped'}"><strong>${escapeHtml(verdict)}</strong>${details
          .map((sentence) => ` ${escapeHtml(sentence)}`)
          .join('')}</p>`;
  const diagnostics = Object.entries(summary.teacherDiagnostics ?? {})
    .map(([seed, result]) => {
      const teacherRows = Object.entries(result.teachers)
        .map(
          ([name, teacher]) =>
            `<tr><td>${escapeHtml(name)}</td><td>${percent(teacher.accuracy)}</td><td>${teacher.expectedCalibrationError.toFixed(4)}</td></tr>`,
        )
        .join('\n');
      const ensembles = Object.entries(result.ensembles)
        .map(([name, accuracy]) => `${escapeHtml(name)} ${percent(accuracy)}`)
        .join(', ');
      // Summaries written before teachers were flagged have no flags.
      const flags = (result.flags ?? []).map(({ message }) => `<li>${escapeHtml(message)}</li>`).join('\n');
      return `<h3>Seed ${escapeHtml(seed)}: teachers on ${result.examples} validation examples</h3>
<table><tr><th>teacher</th><th>accuracy</th><th>calibration error (ECE)</th></tr>${teacherRows}</table>
<p>Ensembles: ${ensembles}</p>${flags === '' ? '' : `\n<ul class="flags">\n${flags}\n</ul>`}`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(summary.name)} — Distillery report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.8rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.meta { color: #555; }
.chart { margin: 1.5rem 0; overflow-x: auto; }
.verdict { font-size: 1.15rem; padding: 0.6rem 0.9rem; border-left: 4px solid; max-width: 60rem; }
.verdict.helped { border-color: #2ca02c; background: #f0f9f0; }
.verdict.not-helped { border-color: #d62728; background: #fdf1f1; }
.flags { border-left: 4px solid #ff7f0e; background: #fff6ec; padding: 0.4rem 0.9rem 0.4rem 2rem; max-width: 60rem; }
</style>
</head>
<body>
<h1>${escapeHtml(summary.name)}</h1>
${summary.description === undefined ? '' : `<p>${escapeHtml(summary.description)}</p>`}
<p class="meta">Backend ${escapeHtml(summary.backend)} · seeds ${summary.seeds.join(', ')} · ${summary.classes} classes ·
${summary.examples.train} training, ${summary.examples.validation} validation, ${summary.examples.test} test examples ·
${summary.wallSeconds.toFixed(0)} s</p>
${gain}
<h2>Results</h2>
<table>
<tr><th>model</th><th>test accuracy</th><th>validation accuracy</th><th>parameters</th><th>size</th><th>latency / example</th></tr>
${rows}
</table>
${charts.map((svg) => `<div class="chart">${svg}</div>`).join('\n')}
${diagnostics === '' ? '' : `<h2>Teacher diagnostics</h2>\n${diagnostics}`}
</body>
</html>
`;
}
