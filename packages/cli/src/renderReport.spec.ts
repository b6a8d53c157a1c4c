import { describe, expect, it } from 'vitest';
import type { MetricsRecord } from './MetricsRecord.js';
import { renderReport } from './renderReport.js';
import { sweepChart } from './reportCharts.js';
import type { Summary } from './Summary.js';

const statistic = (mean: number, std: number) => ({ mean, std, values: [mean - std, mean + std] });

const exampleSummary: Summary = {
  name: 'demo',
  backend: 'cpu',
  seeds: [1, 2],
  classes: 3,
  examples: { train: 180, validation: 60, test: 60 },
  models: {
    'teacher:big': {
      role: 'teacher',
      accuracy: statistic(0.95, 0.01),
      validationAccuracy: statistic(0.9, 0),
      parameters: 12345,
      bytes: 51200,
      latencyMsPerExample: 0.0123,
    },
    baseline: {
      role: 'baseline',
      accuracy: statistic(0.8, 0.02),
      validationAccuracy: statistic(0.75, 0.05),
      parameters: 51,
      bytes: 1536,
      latencyMsPerExample: 0.002,
    },
    student: {
      role: 'student',
      accuracy: statistic(0.85, 0.03),
      validationAccuracy: statistic(0.8, 0),
      parameters: 51,
      bytes: 1536,
      latencyMsPerExample: 0.004,
    },
  },
  gain: statistic(0.05, 0.01),
  wallSeconds: 12.4,
};

const records: MetricsRecord[] = ['teacher:big', 'student', 'baseline'].flatMap((model) =>
  [1, 2].flatMap((seed) =>
    [0, 1].map(
      (epoch): MetricsRecord => ({
        seed,
        stage: `seed${seed}-${model.replace(':', '-')}`,
        model,
        epoch,
        loss: 1 - 0.1 * epoch,
        losses:
          model === 'student' ? { 'response.kd': 0.5 - 0.1 * epoch, 'task.ce': 1 - 0.1 * epoch } : { 'task.ce': 1 - 0.1 * epoch },
        learningRate: 0.001,
        seconds: 0.1,
        validation: { loss: 0.9, accuracy: 0.7 + 0.05 * epoch + 0.01 * seed, agreement: {} },
      }),
    ),
  ),
);

const summary: Summary = {
  ...exampleSummary,
  description: 'Is <b>bold</b> & "quoted" safe?',
  teacherDiagnostics: {
    '1': {
      examples: 60,
      teachers: { big: { accuracy: 0.9, expectedCalibrationError: 0.0421 } },
      agreement: { big: { big: 1 } },
      ensembles: { 'mean-probs': 0.9 },
      flags: [],
    },
  },
};

const count = (text: string, part: string) => text.split(part).length - 1;

describe('renderReport', () => {
  it('writes one page with every model, the gain, the diagnostics and an SVG per chart', async () => {
    const html = await renderReport(summary, records);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const name of Object.keys(summary.models)) expect(html).toContain(`<tr><td>${name}</td>`);
    // The verdict comes first, before the table: gains of 0.04 and 0.06 are +4.00 and +6.00 points.
    expect(html).toContain(
      '<p class="verdict helped"><strong>Distillation helped: the distilled student beat the student trained alone on 2 of 2 seeds, by +5.00 ± 1.00 points of test accuracy; per seed +4.00, +6.00.</strong>',
    );
    expect(html.indexOf('class="verdict')).toBeLessThan(html.indexOf('<table>'));
    expect(html).toContain('<tr><td>teacher:big</td><td>95.00% ± 1.00</td>');
    expect(html).toContain('<tr><td>big</td><td>90.00%</td><td>0.0421</td></tr>');
    expect(html).toContain('mean-probs 90.00%');
    // Gain per seed (first), accuracy per seed, loss and accuracy curves.
    expect(count(html, '<svg')).toBe(4);
    expect(count(html, '</svg>')).toBe(4);
    expect(html.indexOf('Gain from distillation, per seed')).toBeLessThan(html.indexOf('Test accuracy per seed'));
    expect(html.indexOf('Test accuracy per seed')).toBeLessThan(html.indexOf('Loss terms per epoch'));
  });

  it("lists the teachers the diagnostics flagged under their seed's table, and none where there are none", async () => {
    const message =
      "teacher 'noisy' looks unreliable: accuracy 71.2 % is 18.8 points below 'big' (90.0 %); a per-example policy (multi.kd policy confidence or entropy) or leaving it out may help";
    const flagged: Summary = {
      ...summary,
      teacherDiagnostics: {
        '1': {
          examples: 60,
          teachers: {
            big: { accuracy: 0.9, expectedCalibrationError: 0.0421 },
            noisy: { accuracy: 0.712, expectedCalibrationError: 0.05 },
          },
          agreement: { big: { big: 1, noisy: 0.75 }, noisy: { big: 0.75, noisy: 1 } },
          ensembles: { 'mean-probs': 0.88 },
          flags: [{ teacher: 'noisy', message }],
        },
      },
    };
    const html = await renderReport(flagged, records);
    expect(html).toContain(
      '<p>Ensembles: mean-probs 88.00%</p>\n<ul class="flags">\n<li>teacher &#39;noisy&#39; looks unreliable: accuracy 71.2 % is 18.8 points below &#39;big&#39; (90.0 %); a per-example policy (multi.kd policy confidence or entropy) or leaving it out may help</li>\n</ul>',
    );
    expect(await renderReport(summary, records)).not.toContain('<ul class="flags">');
  });

  it('says so, in red, when distillation did not help on every seed', async () => {
    const html = await renderReport({ ...summary, gain: { mean: 0.01, std: 0.03, values: [0.04, -0.02] } }, records);
    expect(html).toContain(
      '<p class="verdict not-helped"><strong>Distillation helped on 1 of 2 seeds only: the distilled student beat the student trained alone on 1 of 2 seeds',
    );
  });

  it('is self-contained: no scripts, nothing fetched', async () => {
    const html = await renderReport(summary, records);
    expect(html.toLowerCase()).not.toContain('<script');
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//);
  });

  it('escapes the description', async () => {
    const html = await renderReport(summary, records);
    expect(html).toContain('<p>Is &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; safe?</p>');
    expect(html).not.toContain('<b>');
  });

  it('adds an SVG for every extra chart and leaves out what a run without a baseline lacks', async () => {
    const { gain: _gain, teacherDiagnostics: _diagnostics, ...plain } = summary;
    const html = await renderReport(plain, records, [
      sweepChart(
        [
          { settings: { temperature: 1, alpha: 0.5 }, accuracy: 0.8 },
          { settings: { temperature: 4, alpha: 0.5 }, accuracy: 0.85 },
        ],
        1,
      ),
    ]);
    // Accuracy per seed, loss, accuracy curves and the extra chart; no gain chart, no verdict.
    expect(count(html, '<svg')).toBe(4);
    expect(html).not.toContain('Gain from distillation');
    expect(html).not.toContain('class="verdict');
    expect(html).not.toContain('Teacher diagnostics');
  });
});
