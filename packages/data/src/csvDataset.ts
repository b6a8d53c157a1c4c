import { DistilleryError } from '@distillery/core';
import Papa from 'papaparse';
import { ExampleStore } from './ExampleStore.js';
import type { FeatureStandardization } from './FeatureStandardization.js';

export interface CsvDatasetOptions {
  readonly id: string;
  /** The column holding the class: its header name, or its 0-based position. */
  readonly labelColumn: string | number;
  /** The input columns, in this order (names or 0-based positions); every other column, in file order, when left out. */
  readonly featureColumns?: readonly (string | number)[];
  /** Whether the first line names the columns (default true); without it, columns are named by position. */
  readonly header?: boolean;
  /**
   * `true`: standardize each feature to mean 0 and standard deviation 1 over the rows of this file.
   * Statistics of another file (the training file's `store.standardization`): scale this one alike.
   */
  readonly standardize?: boolean | FeatureStandardization;
  /**
   * The class names in class-index order, e.g. the training file's `store.classNames`, so that a
   * test file maps its labels the same way; a label outside them is an error. When left out, see below.
   */
  readonly classes?: readonly string[];
  /** Field delimiter; detected by papaparse when left out. */
  readonly delimiter?: string;
  /** Names the text in error messages (a file path); 'CSV' when left out. */
  readonly source?: string;
}

/**
 * A tabular {@link ExampleStore} from CSV text: inputs [N, D] float32 from the feature columns, one
 * class index per row from the label column. Without `classes`, the class indices follow the sorted
 * distinct label values: numerically when every label is a number (so 2 < 10, and labels 0…K−1 keep
 * their values), otherwise by string (code-unit order, the same in every locale). `store.classNames`
 * lists them. Blank lines are skipped; line numbers in errors count them, and are exact unless a
 * quoted field spans lines.
 */
export function csvDataset(text: string, options: CsvDatasetOptions): ExampleStore {
  const source = options.source ?? 'CSV';
  const fail = (problem: string): never => {
    throw new DistilleryError(`${source}${problem}`);
  };
  const parsed = Papa.parse<string[]>(text, {
    header: false,
    skipEmptyLines: false,
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
  });
  const syntaxError = parsed.errors.find((error) => error.type !== 'Delimiter');
  if (syntaxError !== undefined) fail(`${lineOf(syntaxError.row ?? 0)}: ${syntaxError.message}`);
  const records = parsed.data.map((fields, record) => ({ fields, line: record + 1 })).filter(({ fields }) => !isBlank(fields));
  const hasHeader = options.header ?? true;
  const first = records[0];
  if (first === undefined) return fail(': the file is empty');
  const columnNames = hasHeader ? first.fields.map((name) => name.trim()) : first.fields.map((_, position) => String(position));
  const rows = hasHeader ? records.slice(1) : records;
  if (rows.length === 0) fail(': no data rows after the header');
  if (hasHeader) {
    const duplicate = columnNames.find((name, position) => columnNames.indexOf(name) !== position);
    if (duplicate !== undefined) fail(` header: column '${duplicate}' appears more than once`);
  }
  const columnOf = (column: string | number, role: string): number => {
    const position = typeof column === 'number' ? column : hasHeader ? columnNames.indexOf(column) : -1;
    if (!Number.isInteger(position) || position < 0 || position >= columnNames.length) {
      const named = typeof column === 'number' ? `position ${column}` : `'${column}'`;
      const available = hasHeader ? `the columns are: ${columnNames.join(', ')}` : `rows have ${columnNames.length} fields`;
      fail(`: no ${role} column ${named}; ${available}`);
    }
    return position;
  };
  const labelPosition = columnOf(options.labelColumn, 'label');
  const featurePositions =
    options.featureColumns === undefined
      ? columnNames.map((_, position) => position).filter((position) => position !== labelPosition)
      : options.featureColumns.map((column) => columnOf(column, 'feature'));
  if (featurePositions.length === 0) fail(': no feature columns besides the label column');
  if (featurePositions.includes(labelPosition)) fail(`: column '${columnNames[labelPosition]}' is both the label and a feature`);

  const width = featurePositions.length;
  const inputs = new Float32Array(rows.length * width);
  const labelValues: string[] = [];
  rows.forEach(({ fields, line }, row) => {
    if (fields.length !== columnNames.length) {
      fail(
        ` line ${line}: expected ${columnNames.length} fields${hasHeader ? ' as in the header' : ' as in the first line'}, found ${fields.length}`,
      );
    }
    featurePositions.forEach((position, feature) => {
      const text = (fields[position] as string).trim();
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) {
        const problem = text === '' ? 'is empty' : `'${text}' is not a finite number`;
        fail(` line ${line}, column '${columnNames[position]}': the feature ${problem}`);
      }
      inputs[row * width + feature] = value;
    });
    const label = (fields[labelPosition] as string).trim();
    if (label === '') fail(` line ${line}, column '${columnNames[labelPosition]}': the label is empty`);
    labelValues.push(label);
  });

  const classNames = options.classes ?? sortedClasses(labelValues);
  const classIndex = new Map(classNames.map((name, index) => [name, index]));
  const labels = new Int32Array(rows.length);
  labelValues.forEach((label, row) => {
    const index = classIndex.get(label) ?? classIndex.get(String(Number(label)));
    if (index === undefined) {
      fail(
        ` line ${rows[row]?.line}, column '${columnNames[labelPosition]}': label '${label}' is not one of the classes: ${classNames.join(', ')}`,
      );
    }
    labels[row] = index as number;
  });

  const featureNames = featurePositions.map((position) => columnNames[position] as string);
  const standardization =
    options.standardize === true
      ? standardizationOf(inputs, width)
      : options.standardize === false || options.standardize === undefined
        ? undefined
        : options.standardize;
  if (standardization !== undefined) {
    if (standardization.mean.length !== width || standardization.std.length !== width) {
      fail(
        `: standardize has ${standardization.mean.length} means and ${standardization.std.length} deviations for ${width} features`,
      );
    }
    for (let i = 0; i < inputs.length; i++) {
      const feature = i % width;
      inputs[i] = ((inputs[i] as number) - (standardization.mean[feature] as number)) / (standardization.std[feature] as number);
    }
  }
  return new ExampleStore({
    id: options.id,
    inputs,
    exampleShape: [width],
    labels,
    numClasses: classNames.length,
    classNames,
    featureNames,
    ...(standardization === undefined ? {} : { standardization }),
  });
}

function lineOf(record: number): string {
  return ` line ${record + 1}`;
}

function isBlank(fields: readonly string[]): boolean {
  return fields.length === 1 && (fields[0] as string).trim() === '';
}

function sortedClasses(labels: readonly string[]): string[] {
  const distinct = [...new Set(labels)];
  const numbers = distinct.map(Number);
  if (numbers.every(Number.isFinite)) return [...new Set(numbers)].sort((a, b) => a - b).map(String);
  return distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Mean and population standard deviation of each feature; a constant feature gets std 1. */
function standardizationOf(inputs: Float32Array, width: number): FeatureStandardization {
  const rows = inputs.length / width;
  const mean = new Float64Array(width);
  const squares = new Float64Array(width);
  for (let i = 0; i < inputs.length; i++) mean[i % width] = (mean[i % width] as number) + (inputs[i] as number);
  for (let feature = 0; feature < width; feature++) mean[feature] = (mean[feature] as number) / rows;
  for (let i = 0; i < inputs.length; i++) {
    const deviation = (inputs[i] as number) - (mean[i % width] as number);
    squares[i % width] = (squares[i % width] as number) + deviation * deviation;
  }
  const std = Array.from(squares, (sum) => Math.sqrt(sum / rows) || 1);
  return { mean: Array.from(mean), std };
}
