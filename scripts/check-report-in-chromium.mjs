// CI check: a run's report.html opens in headless Chromium (Debian's package), draws its SVG charts,
// leads with the verdict and the gain chart, and logs no console error. Without a report given, runs a
// small synthetic experiment through the CLI to get a fresh one.
// Usage: node scripts/check-report-in-chromium.mjs [report.html] [screenshot.png]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
let report = process.argv[2];
if (report === undefined) {
  const directory = mkdtempSync(join(tmpdir(), 'distillery-report-'));
  const config = join(directory, 'report-check.yaml');
  writeFileSync(
    config,
    `plugins: ['@distillery/plugin-response']
data: { source: synthetic, examples: 400, features: 8, classes: 3, validation: 80, test: 80 }
teachers: [{ name: wide, model: { type: mlp, hidden: [32] }, training: { epochs: 2 } }]
student: { model: { type: mlp, hidden: [4] } }
strategies: [{ key: response.kd, weight: 0.9 }, { key: task.ce, weight: 0.1 }]
training: { epochs: 2 }
seeds: [1, 2]
output: ${JSON.stringify(join(directory, 'runs'))}
`,
  );
  const cli = resolve(import.meta.dirname, '../packages/cli/bin/distillery.js');
  const lines = execFileSync(process.execPath, [cli, 'run', config, '--quiet'], {
    cwd: resolve(import.meta.dirname, '..'),
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  report = join(lines.at(-1), 'report.html');
}

const browser = await chromium.launch({
  executablePath,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  await page.goto(pathToFileURL(resolve(report)).href, { waitUntil: 'load' });
  const charts = await page.$$eval('.chart svg', (svgs) =>
    svgs.map((svg) => ({ width: svg.getBoundingClientRect().width, marks: svg.querySelectorAll('path, rect, line').length })),
  );
  if (charts.length < 3) problems.push(`expected at least 3 charts, found ${charts.length}`);
  charts.forEach((chart, i) => {
    if (chart.width < 100 || chart.marks < 5)
      problems.push(`chart ${i + 1} did not render (width ${chart.width}, ${chart.marks} marks)`);
  });
  // A run with a baseline says first whether distillation helped: the verdict, then the gain chart.
  const verdict = await page.$eval('.verdict', (element) => element.textContent).catch(() => null);
  const firstTitle = await page.$eval('.chart svg .role-title-text', (element) => element.textContent).catch(() => null);
  if (verdict === null) problems.push('no verdict on whether distillation helped');
  else if (!/^Distillation (helped|did not help)/.test(verdict)) problems.push(`unexpected verdict: ${verdict}`);
  if (firstTitle !== 'Gain from distillation, per seed')
    problems.push(`the first chart is '${firstTitle}', not the gain per seed`);
  const rows = await page.$$eval('table tr', (trs) => trs.length);
  if (rows < 3) problems.push(`expected the summary table, found ${rows} rows`);
  if (process.argv[3] !== undefined) await page.screenshot({ path: process.argv[3], fullPage: true });
  console.log(
    `report check: ${report}: ${charts.length} charts, ${rows} table rows, first chart '${firstTitle}', ${problems.length} problems`,
  );
} finally {
  await browser.close();
}
for (const problem of problems) console.error(problem);
process.exitCode = problems.length === 0 ? 0 : 1;
