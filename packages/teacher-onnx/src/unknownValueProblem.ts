import type { OnnxGraph } from './OnnxGraph.js';

const suggestions = 5;

/**
 * Why `name` names nothing that can be read from `graph` (for `purpose`, such as ' for the logits'), as a clause: its
 * outputs, and the values inside it that come closest (names containing `name`, a PyTorch module path such as
 * `stage3.conv` read as the exporter's `/stage3/conv/`), or some of them to show how the exporter names values.
 */
export function unknownValueProblem(name: string, graph: OnnxGraph, purpose = ''): string {
  const outputs = new Set(graph.outputs.map((output) => output.name));
  const inner = graph.nodeOutputs.filter((value) => !outputs.has(value));
  const wanted = [name, name.replaceAll('.', '/')].map((text) => text.toLowerCase());
  const close = inner.filter((value) => wanted.some((text) => value.toLowerCase().includes(text)));
  const quoted = (values: readonly string[]) => values.slice(0, suggestions).map((value) => `'${value}'`);
  const hint =
    close.length > 0
      ? `did you mean ${quoted(close).join(', ')}${close.length > suggestions ? ` (${close.length - suggestions} more)` : ''}?`
      : inner.length > 0
        ? `such as ${quoted(inner).join(', ')}`
        : 'it has none';
  return `no output or value named '${name}'${purpose}; its outputs are: ${[...outputs].join(', ')}; values inside the graph can be tapped too, named as the graph names them: ${hint}`;
}
