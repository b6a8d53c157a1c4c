import { loadModel } from '@distillery/node';

export interface LayerRow {
  readonly name: string;
  readonly type: string;
  readonly outputShape: string;
  readonly parameters: number;
}

/** `distillery inspect <model dir>`: every layer with its output shape and parameter count, to choose taps. */
export async function inspectModel(location: string): Promise<{ layers: LayerRow[]; parameters: number; text: string }> {
  const model = await loadModel(location);
  try {
    const layers = model.layers.map((layer) => {
      let outputShape: string;
      try {
        outputShape = JSON.stringify(layer.outputShape).replaceAll('null', 'B');
      } catch {
        outputShape = '(several)';
      }
      return { name: layer.name, type: layer.getClassName(), outputShape, parameters: layer.countParams() };
    });
    const parameters = model.countParams();
    const width = (key: keyof LayerRow, title: string) => Math.max(title.length, ...layers.map((row) => String(row[key]).length));
    const columns = [
      ['name', 'layer'],
      ['type', 'type'],
      ['outputShape', 'output shape'],
      ['parameters', 'parameters'],
    ] as const;
    const widths = columns.map(([key, title]) => width(key, title));
    const line = (cells: string[]) =>
      cells.map((cell, i) => (i === 3 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join('  ');
    const text = [
      `${model.name}: input ${JSON.stringify(model.inputs[0]?.shape).replaceAll('null', 'B')}`,
      line(columns.map(([, title]) => title)),
      ...layers.map((row) => line([row.name, row.type, row.outputShape, row.parameters.toLocaleString('en-US')])),
      `total parameters: ${parameters.toLocaleString('en-US')}`,
    ].join('\n');
    return { layers, parameters, text };
  } finally {
    model.dispose();
  }
}
