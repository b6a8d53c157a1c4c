import { coreModule, type StrategyFactory, StrategyRegistry } from '@distillery/core';
import { attentionPlugin } from '@distillery/plugin-attention';
import { contrastivePlugin } from '@distillery/plugin-contrastive';
import { featurePlugin } from '@distillery/plugin-feature';
import { relationPlugin } from '@distillery/plugin-relation';
import { responsePlugin } from '@distillery/plugin-response';
import { Container } from 'inversify';

/** The plugins whose strategies need one teacher and one student, which is what the page trains. */
export const pagePlugins = [responsePlugin, featurePlugin, attentionPlugin, relationPlugin, contrastivePlugin];

/** Every strategy the page's plugins register, sorted by key, as `distillery strategies` lists them. */
export function strategyFactories(): StrategyFactory[] {
  const container = new Container();
  container.load(coreModule, ...pagePlugins);
  return container.get(StrategyRegistry).list();
}
