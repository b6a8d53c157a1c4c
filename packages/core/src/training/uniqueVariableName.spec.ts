import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { uniqueVariableName } from './uniqueVariableName.js';

describe('uniqueVariableName', () => {
  it('keeps a name no live variable has', () => {
    expect(uniqueVariableName('unique-spec/free/kernel')).toBe('unique-spec/free/kernel');
  });

  it('numbers a name from 2 while live variables hold it, and frees it again once they are disposed', () => {
    const first = tf.variable(tf.zeros([1]), true, uniqueVariableName('unique-spec/taken'));
    const second = tf.variable(tf.zeros([1]), true, uniqueVariableName('unique-spec/taken'));
    expect([first.name, second.name]).toEqual(['unique-spec/taken', 'unique-spec/taken#2']);
    expect(uniqueVariableName('unique-spec/taken')).toBe('unique-spec/taken#3');
    first.dispose();
    second.dispose();
    expect(uniqueVariableName('unique-spec/taken')).toBe('unique-spec/taken');
  });
});
