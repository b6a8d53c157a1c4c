import { escapeHtml } from './escapeHtml.js';
import { renderSvg } from './renderSvg.js';
import { sweepChart } from './reportCharts.js';
import type { Statistic } from './Statistic.js';
import type { SweepPoint } from './SweepPoint.js';
import { settingLabel } from './settingLabel.js';
import { settingNames } from './settingNames.js';

const percent = (fraction: number) => `${(100 * fraction).toFixed(2)} %`;
const signed = (fraction: number) => `${fraction >= 0 ? '+' : '−'}${Math.abs(100 * fraction).toFixed(2)}`;
const spread = (statistic: Statistic) => `${signed(statistic.mean)} ± ${(100 * statistic.std).toFixed(2)}`;

/**
 * A sweep's report.html: which point was chosen and why (validation, never test), the chart of the gain
 * over the grid, a table of every point with readable settings, and which worker ran each point's seeds for how
 * long. Self-contained, no scripts.
 */
export async function renderSweepReport(name: string, points: readonly SweepPoint[], chosen: number): Promise<string> {
  const names = settingNames(Object.keys(points[0]?.settings ?? {}));
  const label = (point: SweepPoint) => settingLabel(point.settings, Object.keys(point.settings), names);
  const best = points[chosen] as SweepPoint;
  const rows = points
    .map(
      (
        point,
        i,
      ) => `<tr${i === chosen ? ' class="chosen"' : ''}><td>${escapeHtml(label(point))}${i === chosen ? ' ← chosen' : ''}</td>
<td>${percent(point.accuracy)}</td><td>${point.validationGain === undefined ? '' : spread(point.validationGain)}</td>
<td>${percent(point.testAccuracy)}</td><td>${point.gain === undefined ? '' : signed(point.gain)}</td></tr>`,
    )
    .join('\n');
  const runRows = points
    .flatMap((point) =>
      (point.runs ?? []).map(
        (run) =>
          `<tr><td>${escapeHtml(label(point))}</td><td>${run.seed}</td><td>${escapeHtml(run.worker)}</td><td>${run.wallSeconds.toFixed(1)} s</td></tr>`,
      ),
    )
    .join('\n');
  const legend = Object.entries(names)
    .filter(([path, short]) => path !== short)
    .map(([path, short]) => `${escapeHtml(short)} is <code>${escapeHtml(path)}</code>`)
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(name)} — Distillery sweep</title>
<style>body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; } th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.8rem; text-align: right; }
th:first-child, td:first-child { text-align: left; } tr.chosen td { font-weight: bold; background: #f0f9f0; }
.chosen-point { font-size: 1.15rem; padding: 0.6rem 0.9rem; border-left: 4px solid #2ca02c; background: #f0f9f0; max-width: 60rem; }
.chart { margin: 1.5rem 0; overflow-x: auto; }</style></head>
<body><h1>${escapeHtml(name)}</h1>
<p class="chosen-point"><strong>Chosen on validation: ${escapeHtml(label(best))}</strong>, the point whose distilled student has the
highest mean validation accuracy (${percent(best.accuracy)}${best.validationGain === undefined ? '' : `, ${spread(best.validationGain)} points over the student trained alone`}).
Its test accuracy is ${percent(best.testAccuracy)}${best.gain === undefined ? '' : ` (${signed(best.gain)} points)`}; test figures are reported, never used to choose.</p>
${legend === '' ? '' : `<p>${legend}.</p>`}
<div class="chart">${await renderSvg(sweepChart(points, chosen))}</div>
<table><tr><th>setting</th><th>student validation acc.</th><th>validation gain (points)</th><th>student test acc.</th><th>test gain (points)</th></tr>
${rows}</table>
${runRows === '' ? '' : `<h2>Where each run ran</h2>\n<table><tr><th>setting</th><th>seed</th><th>worker</th><th>wall time</th></tr>\n${runRows}</table>`}
</body></html>
`;
}
