import { responsePlugin } from '@distillery/plugin-response';
import type { ContainerModule } from 'inversify';

/**
 * The strategies born-again stages use. Born-again networks add no loss of their own: each generation learns
 * from the one before through Hinton KD (`response.kd`) and, optionally, `task.ce`. So this module is
 * `responsePlugin` itself, the same object rather than a second module binding `response.kd`, which would clash
 * with it in the strategy registry. `runBornAgain` loads it once however often it is listed; `runStages` and
 * `createDistiller` load every module they are given, so give them this or `responsePlugin`, not both.
 */
export const selfDistillationPlugin: ContainerModule = responsePlugin;
