import { describe, expect, it } from 'vitest';
import { describeTapShape } from './describeTapShape.js';

describe('describeTapShape', () => {
  it('writes the open batch dimension as B and any other open size as ?', () => {
    expect(describeTapShape([null, 8, 8, 64])).toBe('[B, 8, 8, 64]');
    expect(describeTapShape([null, null, null, 3])).toBe('[B, ?, ?, 3]');
    expect(describeTapShape([2, 10])).toBe('[2, 10]');
  });
});
