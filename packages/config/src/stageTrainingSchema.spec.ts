import { DistilleryError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './parseConfig.js';
import { stageTrainingSchema } from './stageTrainingSchema.js';

const withTraining = (training: string) => `
data: { source: synthetic }
student: { model: { type: mlp, hidden: [8] } }
strategies: [{ key: task.ce }]
training: ${training}
`;

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('stageTrainingSchema augment', () => {
  it('reads the CIFAR recipe: crop with padding 4 by default, flip, cutout', () => {
    const config = parseConfig(withTraining('{ augment: { crop: {}, flip: true, cutout: { size: 16 } } }'), 'c.yaml');
    expect(config.training.augment).toEqual({ shift: 0, crop: { padding: 4 }, flip: true, cutout: { size: 16 } });
    const padded = stageTrainingSchema.parse({ augment: { crop: { padding: 2 } } });
    expect(padded.augment).toEqual({ shift: 0, crop: { padding: 2 }, flip: false });
  });

  it('keeps shift as it was, and no augmentation without augment', () => {
    expect(stageTrainingSchema.parse({ augment: { shift: 2 } }).augment).toEqual({ shift: 2, flip: false });
    expect(stageTrainingSchema.parse({}).augment).toBeUndefined();
  });

  it('refuses a bad value in one line naming the field', () => {
    const cases: [string, RegExp][] = [
      ['{ augment: { crop: { padding: 0 } } }', /^c\.yaml: training\.augment\.crop\.padding: /],
      ['{ augment: { crop: { padding: 1.5 } } }', /^c\.yaml: training\.augment\.crop\.padding: /],
      ['{ augment: { cutout: { size: 0 } } }', /^c\.yaml: training\.augment\.cutout\.size: /],
      ['{ augment: { cutout: {} } }', /^c\.yaml: training\.augment\.cutout\.size: /],
      ['{ augment: { flip: yes please } }', /^c\.yaml: training\.augment\.flip: /],
      ['{ augment: { crop: 4 } }', /^c\.yaml: training\.augment\.crop: /],
      ['{ augment: { rotate: 10 } }', /^c\.yaml: training\.augment: .*rotate/],
    ];
    for (const [training, message] of cases) {
      const error = errorOf(() => parseConfig(withTraining(training), 'c.yaml'));
      expect(error).toBeInstanceOf(DistilleryError);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('\n');
    }
  });
});
