// Build step: writes the config's JSON Schema next to the compiled package, for editors, with the options of
// every strategy the in-tree plugins register, so that editors complete and check them per key.
import { writeFileSync } from 'node:fs';
import { coreModule, StrategyRegistry } from '@distillery/core';
import { attentionPlugin } from '@distillery/plugin-attention';
import { contrastivePlugin } from '@distillery/plugin-contrastive';
import { featurePlugin } from '@distillery/plugin-feature';
import { multiTeacherPlugin } from '@distillery/plugin-multi-teacher';
import { relationPlugin } from '@distillery/plugin-relation';
import { responsePlugin } from '@distillery/plugin-response';
import { selfDistillationPlugin } from '@distillery/plugin-self-distillation';
import { Container } from 'inversify';
import { experimentJsonSchema } from '../dist/index.js';

const container = new Container();
container.load(
  coreModule,
  responsePlugin,
  featurePlugin,
  attentionPlugin,
  multiTeacherPlugin,
  relationPlugin,
  selfDistillationPlugin,
  contrastivePlugin,
);
const factories = container.get(StrategyRegistry).list();
writeFileSync(process.argv[2], `${JSON.stringify(experimentJsonSchema(factories), null, 2)}\n`);
