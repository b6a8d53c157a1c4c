import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { correlationCongruenceStrategyFactory } from './correlationCongruenceStrategyFactory.js';
import { fspStrategyFactory } from './fspStrategyFactory.js';
import { nstStrategyFactory } from './nstStrategyFactory.js';
import { pktStrategyFactory } from './pktStrategyFactory.js';
import { rkdStrategyFactory } from './rkdStrategyFactory.js';
import { similarityPreservingStrategyFactory } from './similarityPreservingStrategyFactory.js';

/**
 * Binds the relation strategies `relation.rkd`, `.pkt`, `.sp`, `.nst`, `.fsp` and `.cc`. Pass it in an experiment's
 * `plugins`.
 */
export const relationPlugin = new ContainerModule(({ bind }) => {
  for (const factory of [
    rkdStrategyFactory,
    pktStrategyFactory,
    similarityPreservingStrategyFactory,
    nstStrategyFactory,
    fspStrategyFactory,
    correlationCongruenceStrategyFactory,
  ]) {
    bind(StrategyFactory).toConstantValue(factory);
  }
});
