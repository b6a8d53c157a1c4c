import { describe, expect, it } from 'vitest';
import { parseConfig } from './parseConfig.js';

const minimal = `
data: { source: synthetic }
student: { model: { type: mlp, hidden: [8] } }
strategies: [{ key: task.ce }]
`;

describe('parseConfig', () => {
  it('fills every default of a minimal config', () => {
    const config = parseConfig(minimal, 'minimal.yaml');
    expect(config.data).toEqual({
      source: 'synthetic',
      examples: 1200,
      features: 16,
      classes: 4,
      noise: 1,
      seed: 0,
      validation: 200,
      test: 200,
    });
    expect(config.student).toEqual({ name: 'student', model: { type: 'mlp', hidden: [8], dropout: 0, inputDropout: 0 } });
    expect(config.strategies).toEqual([{ key: 'task.ce', weight: 1 }]);
    expect(config.seeds).toEqual([1]);
    expect(config.baseline).toBe(true);
    expect(config.training.optimizer.name).toBe('adam');
    expect(config.teachers).toEqual([]);
    expect(config.peers).toEqual([]);
  });

  it('reads JSON too', () => {
    const config = parseConfig(
      JSON.stringify({
        data: { source: 'mnist', validation: 100 },
        student: { model: { type: 'cnn' } },
        strategies: [{ key: 'task.ce' }],
      }),
      'c.json',
    );
    expect(config.data).toEqual({ source: 'mnist', validation: 100 });
    expect(config.student.model).toEqual({ type: 'cnn', channels: [32, 64], batchNorm: false, dense: 128, dropout: 0 });
  });

  it('fills the defaults of an image folder and checks its test fraction', () => {
    const imageFolder = minimal.replace('{ source: synthetic }', '{ source: image-folder, root: images }');
    expect(parseConfig(imageFolder, 'images.yaml').data).toEqual({
      source: 'image-folder',
      root: 'images',
      size: [32, 32],
      validation: 5000,
      normalize: true,
    });
    const withFraction = (test: number) =>
      parseConfig(
        minimal.replace('{ source: synthetic }', `{ source: image-folder, root: i, split: { test: ${test} } }`),
        'c.yaml',
      );
    expect(withFraction(0.2).data).toMatchObject({ split: { test: 0.2 } });
    expect(() => withFraction(1)).toThrow(/^c\.yaml: data\.split\.test: /);
  });

  it('refuses YAML tags, so a config stays plain data', () => {
    expect(() => parseConfig(`data: !!js/function "function () {}"\n`, 'evil.yaml')).toThrow(
      /^evil\.yaml: not valid YAML or JSON/,
    );
  });

  it('refuses duplicate keys and non-mappings', () => {
    expect(() => parseConfig('seeds: [1]\nseeds: [2]\n', 'dup.yaml')).toThrow(
      /^dup\.yaml: not valid YAML or JSON \(line 2, column 1\)/,
    );
    expect(() => parseConfig('- 1\n- 2\n', 'list.yaml')).toThrow(
      'list.yaml: expected a mapping of settings (data, student, strategies, …)',
    );
  });

  it('requires training options for zoo teachers and forbids them for teachers from files', () => {
    const zooTeacher = `${minimal}teachers: [{ name: big, model: { type: mlp } }]\n`;
    expect(() => parseConfig(zooTeacher, 'c.yaml')).toThrow(
      'c.yaml: teachers[0].training: a mlp teacher from the zoo is trained on the labels first: give its training options (e.g. { epochs: 5 })',
    );
    const fileTeacher = `${minimal}teachers: [{ name: big, model: { type: file, path: models/big }, training: { epochs: 1 } }]\n`;
    expect(() => parseConfig(fileTeacher, 'c.yaml')).toThrow(
      'c.yaml: teachers[0].training: a teacher loaded from a file is used as it is; remove training',
    );
  });

  it('reads ONNX and GraphModel teachers, used as they are and never as students', () => {
    const onnx = parseConfig(
      `${minimal}teachers: [{ name: torch, model: { type: onnx, path: t.onnx, layout: nchw, features: [stage1] } }]\n`,
      'c.yaml',
    );
    expect(onnx.teachers[0]?.model).toEqual({ type: 'onnx', path: 't.onnx', layout: 'nchw', features: ['stage1'] });
    const graph = parseConfig(`${minimal}teachers: [{ name: tf, model: { type: graph-model, path: web_model } }]\n`, 'c.yaml');
    expect(graph.teachers[0]?.model).toEqual({ type: 'graph-model', path: 'web_model', features: [] });
    expect(() =>
      parseConfig(`${minimal}teachers: [{ name: t, model: { type: onnx, path: t.onnx }, training: { epochs: 1 } }]\n`, 'c.yaml'),
    ).toThrow('c.yaml: teachers[0].training: a teacher loaded from a file is used as it is; remove training');
    expect(() =>
      parseConfig(`${minimal}teachers: [{ name: t, model: { type: onnx, path: t.onnx, layout: nwhc } }]\n`, 'c.yaml'),
    ).toThrow(/^c\.yaml: teachers\[0\]\.model\.layout: .*nchw.*nhwc/);
    expect(() =>
      parseConfig(minimal.replace(/student:.*\n/, 'student: { model: { type: onnx, path: s.onnx } }\n'), 'c.yaml'),
    ).toThrow(/^c\.yaml: student\.model/);
  });

  it('reads peers from the zoo and refuses a peer named like the student, a teacher or another peer', () => {
    const config = parseConfig(`${minimal}peers: [{ name: peer, model: { type: mlp, hidden: [16] } }]\n`, 'c.yaml');
    expect(config.peers).toEqual([{ name: 'peer', model: { type: 'mlp', hidden: [16], dropout: 0, inputDropout: 0 } }]);
    const peers = (names: string[]) =>
      `${minimal}teachers: [{ name: big, model: { type: mlp }, training: { epochs: 1 } }]\npeers: [${names
        .map((name) => `{ name: ${name}, model: { type: mlp } }`)
        .join(', ')}]\n`;
    expect(() => parseConfig(peers(['student']), 'c.yaml')).toThrow("c.yaml: peers[0].name: the name 'student' is used twice");
    expect(() => parseConfig(peers(['big']), 'c.yaml')).toThrow("c.yaml: peers[0].name: the name 'big' is used twice");
    expect(() => parseConfig(peers(['a', 'a']), 'c.yaml')).toThrow("c.yaml: peers[1].name: the name 'a' is used twice");
    expect(() => parseConfig(`${minimal}peers: [{ name: p, model: { type: file, path: m } }]\n`, 'c.yaml')).toThrow(
      /^c\.yaml: peers\[0\]\.model/,
    );
  });
});
