import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDistillery } from './support/runDistillery.js';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

describe('distillery strategies', () => {
  it('lists task.ce and every installed official plugin’s strategies, sorted by key', async () => {
    const { code, out, err } = await runDistillery('strategies');
    expect(code).toBe(0);
    expect(err).toEqual([]);
    const keys = out
      .join('\n')
      .split('\n')
      .filter((line) => /^\S/.test(line))
      .map((line) => line.slice(0, line.indexOf(':')));
    expect(keys).toEqual([
      'attention.at',
      'contrastive.crd',
      'feature.ft',
      'feature.ft.paraphraser',
      'feature.hint',
      'feature.ofd',
      'feature.review',
      'feature.vid',
      'multi.attention',
      'multi.crd',
      'multi.dkd',
      'multi.hint',
      'multi.kd',
      'multi.relation',
      'online.dml',
      'relation.cc',
      'relation.fsp',
      'relation.nst',
      'relation.pkt',
      'relation.rkd',
      'relation.sp',
      'response.ctkd',
      'response.dist',
      'response.dkd',
      'response.kd',
      'response.tfkd',
      'self.byot',
      'task.ce',
    ]);
  });

  it("shows response.kd with its description, Hinton's paper and each option's type, default and description", async () => {
    const { out } = await runDistillery('strategies');
    const lines = out.join('\n').split('\n');
    const start = lines.findIndex((line) => line.startsWith('response.kd: '));
    expect(lines.slice(start, start + 5)).toEqual([
      'response.kd: Hinton KD, T² · KL(teacher ‖ student) on softened logits',
      '  paper: Hinton, Vinyals, Dean 2015, "Distilling the Knowledge in a Neural Network", NIPS Deep Learning Workshop',
      '  options:',
      "    teacher (string, optional): the teacher to learn from; default: the experiment's first teacher",
      '    temperature (number > 0 | { start, end, shape? }, default 4): softening temperature T > 0, or a schedule { start, end, shape } over training progress',
    ]);
  });

  it('adds the strategies of a plugin given by path', async () => {
    const { code, out } = await runDistillery('strategies', '--plugins', `${fixtures}/cosine-plugin`);
    expect(code).toBe(0);
    const lines = out.join('\n').split('\n');
    const start = lines.findIndex((line) => line.startsWith('custom.cosine: '));
    expect(lines.slice(start, start + 2)).toEqual(['custom.cosine: 1 − cos(z_s, z_t), batch mean', '  options: none']);
    expect(lines.some((line) => line.startsWith('response.kd: '))).toBe(true);
  });

  it('prints the listing as JSON with --json, options and their JSON Schema included', async () => {
    const { code, out } = await runDistillery('strategies', '--json');
    expect(code).toBe(0);
    const listings = JSON.parse(out.join('\n')) as {
      key: string;
      paper?: string;
      options: { name: string; type: string; required: boolean; default?: unknown }[] | null;
      optionsSchema: { properties: Record<string, { default?: unknown }> } | null;
    }[];
    const dkd = listings.find((listing) => listing.key === 'response.dkd');
    expect(dkd?.paper).toBe('Zhao, Cui, Song, Qiu, Liang 2022, "Decoupled Knowledge Distillation", CVPR');
    expect(dkd?.options?.map(({ name, type, default: value }) => [name, type, value])).toEqual([
      ['teacher', 'string', undefined],
      ['alpha', 'number ≥ 0', 1],
      ['beta', 'number ≥ 0', 8],
      ['temperature', 'number > 0', 4],
      ['warmupEpochs', 'integer ≥ 0', 20],
      ['standardize', 'boolean', false],
    ]);
    expect(dkd?.optionsSchema?.properties.warmupEpochs?.default).toBe(20);
  });

  it('refuses a plugin path that does not exist in one line, naming it, with the exit code of bad input', async () => {
    const { code, out, err } = await runDistillery('strategies', '--plugins', `${fixtures}/no-such-plugin`);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([`error: --plugins: cannot find plugin '${fixtures}/no-such-plugin' at ${fixtures}/no-such-plugin`]);
  });
});
