import { describeGain } from './describeGain.js';
import type { Summary } from './Summary.js';

/** The summary as a plain-text table for the terminal. */
export function formatSummary(summary: Summary): string {
  const rows = Object.entries(summary.models).map(([name, model]) => [
    name,
    `${(100 * model.accuracy.mean).toFixed(2)} ± ${(100 * model.accuracy.std).toFixed(2)}`,
    `${(100 * model.validationAccuracy.mean).toFixed(2)}`,
    model.parameters.toLocaleString('en-US'),
    `${(model.bytes / 1024).toFixed(1)} KiB`,
    `${(1000 * model.latencyMsPerExample).toFixed(1)} µs`,
  ]);
  const header = ['model', 'test acc. %', 'val. acc. %', 'parameters', 'size', 'latency/ex.'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
  const seeds = `${summary.seeds.length} seed${summary.seeds.length === 1 ? '' : 's'}`;
  const lines = [
    `${summary.name}: ${summary.examples.test} test examples, ${seeds}, backend ${summary.backend}, ${summary.wallSeconds.toFixed(0)} s`,
    line(header),
    ...rows.map(line),
  ];
  return [...lines, ...describeGain(summary)].join('\n');
}
