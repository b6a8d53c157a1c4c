import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvDataset } from './csvDataset.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const flowers = [
  'sepal_length,sepal_width,species',
  '5.1,3.5,setosa',
  '7.0,3.2,versicolor',
  '6.3,3.3,virginica',
  '4.9,3.0,setosa',
].join('\n');

describe('csvDataset', () => {
  it('reads the features as float32 [N, D] and maps label values to sorted class indices', () => {
    const store = csvDataset(flowers, { id: 'iris', labelColumn: 'species' });
    expect(store.id).toBe('iris');
    expect(store.size).toBe(4);
    expect(store.exampleShape).toEqual([2]);
    expect(Array.from(store.inputs)).toEqual([5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0].map(Math.fround));
    // Sorted: setosa 0, versicolor 1, virginica 2.
    expect(store.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(store.labels)).toEqual([0, 1, 2, 0]);
    expect(store.numClasses).toBe(3);
    expect(store.featureNames).toEqual(['sepal_length', 'sepal_width']);
  });

  it('sorts numeric labels by value, so 2 < 7 < 10 and 1.0 is 1', () => {
    const store = csvDataset('x,y\n0,10\n1,2\n2,7\n3,2\n4,1.0\n', { id: 'n', labelColumn: 'y' });
    expect(store.classNames).toEqual(['1', '2', '7', '10']);
    expect(Array.from(store.labels)).toEqual([3, 1, 2, 1, 0]);
  });

  it('sorts string labels by code unit, whatever the locale: uppercase before lowercase', () => {
    const store = csvDataset('x,y\n0,b\n1,B\n2,a\n', { id: 's', labelColumn: 'y' });
    expect(store.classNames).toEqual(['B', 'a', 'b']);
    expect(Array.from(store.labels)).toEqual([2, 0, 1]);
  });

  it('takes the feature columns named, in the order named, by name or position', () => {
    const store = csvDataset(flowers, { id: 'iris', labelColumn: 2, featureColumns: ['sepal_width', 0] });
    expect(store.featureNames).toEqual(['sepal_width', 'sepal_length']);
    expect(Array.from(store.inputs.subarray(0, 2))).toEqual([3.5, 5.1].map(Math.fround));
  });

  it('reads files without a header by column position', () => {
    const store = csvDataset('1,2,a\n3,4,b\n', { id: 'h', labelColumn: 2, header: false });
    expect(store.featureNames).toEqual(['0', '1']);
    expect(Array.from(store.inputs)).toEqual([1, 2, 3, 4]);
    expect(Array.from(store.labels)).toEqual([0, 1]);
  });

  it('standardizes each feature over the file with the population deviation', () => {
    // Feature a = 1, 3, 5: mean 3, variance (4 + 0 + 4) / 3 = 8/3, std √(8/3) ≈ 1.63299, so ∓2/1.63299 = ∓1.22474.
    // Feature b is constant: std is taken as 1, so it becomes 0.
    const store = csvDataset('a,b,y\n1,7,p\n3,7,q\n5,7,p\n', { id: 'z', labelColumn: 'y', standardize: true });
    const scaled = Math.sqrt(3 / 2);
    expect(store.standardization?.mean).toEqual([3, 7]);
    expect(store.standardization?.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(store.standardization?.std[1]).toBe(1);
    const values = Array.from(store.inputs);
    [-scaled, 0, 0, 0, scaled, 0].forEach((expected, i) => {
      expect(values[i]).toBeCloseTo(expected, 6);
    });
  });

  it('scales another file with given statistics and maps its labels to given classes', () => {
    const train = csvDataset('a,y\n1,p\n3,q\n5,r\n', { id: 'train', labelColumn: 'y', standardize: true });
    const test = csvDataset('a,y\n3,r\n7,p\n', {
      id: 'test',
      labelColumn: 'y',
      standardize: train.standardization as { mean: number[]; std: number[] },
      classes: train.classNames,
    });
    // (3 − 3)/√(8/3) = 0 and (7 − 3)/√(8/3) = 4·√(3/8) ≈ 2.44949
    expect(test.inputs[0]).toBe(0);
    expect(test.inputs[1]).toBeCloseTo(4 * Math.sqrt(3 / 8), 6);
    // Only r and p occur, yet they keep the training indices: p 0, q 1, r 2.
    expect(test.numClasses).toBe(3);
    expect(Array.from(test.labels)).toEqual([2, 0]);
  });

  it('skips blank lines, trims spaces, reads quoted fields and Windows line ends', () => {
    const store = csvDataset('a, b ,label\r\n\r\n 1 ,2,"x, y"\r\n3,4,z\r\n\r\n', { id: 'w', labelColumn: 'label' });
    expect(store.featureNames).toEqual(['a', 'b']);
    expect(Array.from(store.inputs)).toEqual([1, 2, 3, 4]);
    expect(store.classNames).toEqual(['x, y', 'z']);
  });

  it('reads other delimiters', () => {
    const store = csvDataset('a;y\n1.5;k\n2;m\n', { id: 'd', labelColumn: 'y', delimiter: ';' });
    expect(Array.from(store.inputs)).toEqual([1.5, 2]);
    expect(store.classNames).toEqual(['k', 'm']);
  });
});

describe('csvDataset refuses bad input with one line naming the line and column', () => {
  it('when the file is empty or has only a header', () => {
    const error = errorOf(() => csvDataset('', { id: 'e', labelColumn: 'y' }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('CSV: the file is empty');
    expect(errorOf(() => csvDataset('\n \n', { id: 'e', labelColumn: 'y' })).message).toBe('CSV: the file is empty');
    expect(errorOf(() => csvDataset('a,y\n', { id: 'e', labelColumn: 'y' })).message).toBe('CSV: no data rows after the header');
  });

  it('when the label or a feature column does not exist', () => {
    expect(errorOf(() => csvDataset(flowers, { id: 'i', labelColumn: 'class' })).message).toBe(
      "CSV: no label column 'class'; the columns are: sepal_length, sepal_width, species",
    );
    expect(errorOf(() => csvDataset(flowers, { id: 'i', labelColumn: 'species', featureColumns: ['petal_width'] })).message).toBe(
      "CSV: no feature column 'petal_width'; the columns are: sepal_length, sepal_width, species",
    );
    expect(errorOf(() => csvDataset('1,a\n', { id: 'i', labelColumn: 3, header: false })).message).toBe(
      'CSV: no label column position 3; rows have 2 fields',
    );
  });

  it('when a feature is not a number, or is empty', () => {
    const text = 'a,b,y\n1,2,p\n3,abc,q\n';
    expect(errorOf(() => csvDataset(text, { id: 'n', labelColumn: 'y' })).message).toBe(
      "CSV line 3, column 'b': the feature 'abc' is not a finite number",
    );
    expect(errorOf(() => csvDataset('a,b,y\n1,,p\n', { id: 'n', labelColumn: 'y' })).message).toBe(
      "CSV line 2, column 'b': the feature is empty",
    );
    expect(errorOf(() => csvDataset('a,y\nInfinity,p\n', { id: 'n', labelColumn: 'y' })).message).toBe(
      "CSV line 2, column 'a': the feature 'Infinity' is not a finite number",
    );
  });

  it('counting blank lines in line numbers', () => {
    expect(errorOf(() => csvDataset('a,y\n1,p\n\n\nx,q\n', { id: 'n', labelColumn: 'y' })).message).toBe(
      "CSV line 5, column 'a': the feature 'x' is not a finite number",
    );
  });

  it('when a row has more or fewer fields than the header', () => {
    expect(errorOf(() => csvDataset('a,b,y\n1,2,p\n3,q\n', { id: 'r', labelColumn: 'y' })).message).toBe(
      'CSV line 3: expected 3 fields as in the header, found 2',
    );
    expect(errorOf(() => csvDataset('1,2,p\n3,4,5,q\n', { id: 'r', labelColumn: 2, header: false })).message).toBe(
      'CSV line 2: expected 3 fields as in the first line, found 4',
    );
  });

  it('when a label is empty or outside the given classes', () => {
    expect(errorOf(() => csvDataset('a,y\n1,p\n2, \n', { id: 'l', labelColumn: 'y' })).message).toBe(
      "CSV line 3, column 'y': the label is empty",
    );
    expect(errorOf(() => csvDataset('a,y\n1,p\n2,s\n', { id: 'l', labelColumn: 'y', classes: ['p', 'q'] })).message).toBe(
      "CSV line 3, column 'y': label 's' is not one of the classes: p, q",
    );
  });

  it('when the header repeats a name, or the label is also a feature', () => {
    expect(errorOf(() => csvDataset('a,a,y\n1,2,p\n', { id: 'h', labelColumn: 'y' })).message).toBe(
      "CSV header: column 'a' appears more than once",
    );
    expect(errorOf(() => csvDataset('a,y\n1,p\n', { id: 'h', labelColumn: 'y', featureColumns: ['a', 'y'] })).message).toBe(
      "CSV: column 'y' is both the label and a feature",
    );
    expect(errorOf(() => csvDataset('y\np\n', { id: 'h', labelColumn: 'y' })).message).toBe(
      'CSV: no feature columns besides the label column',
    );
  });

  it('when a quote is not closed', () => {
    expect(errorOf(() => csvDataset('a,y\n1,p\n2,"q\n', { id: 'q', labelColumn: 'y' })).message).toMatch(
      /^CSV line 3: .*[Qq]uote/,
    );
  });

  it('when given statistics do not fit the features', () => {
    expect(
      errorOf(() => csvDataset('a,b,y\n1,2,p\n', { id: 's', labelColumn: 'y', standardize: { mean: [0], std: [1] } })).message,
    ).toBe('CSV: standardize has 1 means and 1 deviations for 2 features');
  });

  it('naming the source it is given', () => {
    expect(
      errorOf(() => csvDataset('a,y\nx,p\n', { id: 'f', labelColumn: 'y', source: 'CSV file /data/iris.csv' })).message,
    ).toBe("CSV file /data/iris.csv line 2, column 'a': the feature 'x' is not a finite number");
  });
});
