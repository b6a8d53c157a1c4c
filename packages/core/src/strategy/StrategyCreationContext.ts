import type { LayerWeight } from './LayerWeight.js';

/** What a factory knows of the experiment when it creates a strategy. */
export interface StrategyCreationContext {
  /** Where in the config the strategy's options live, for error messages (`strategies[1].options`). */
  readonly path: string;
  readonly teacherNames: readonly string[];
  readonly studentName: string;
  readonly seed: number;
  /**
   * The name for a variable this strategy creates (an adapter's kernel): `local` under the strategy's term
   * name, e.g. `feature.hint/pairs[0]/kernel`, made unique among the live variables when it is called, since
   * tfjs keys gradients by variable name. Call it when creating the variable, not before.
   */
  variableName(local: string): string;
  /**
   * Copies of the weights of teacher `teacher`'s layer `layer`, in the layer's own order (`layer.weights`), e.g. a
   * batch norm's γ and β for OFD's margins. Teachers are frozen, so values read when the strategy is created or
   * built stay valid for the whole run. Throws a one-line `DistilleryError` naming the teacher and the layer when
   * either does not exist; a layer without weights gives `[]`.
   */
  teacherLayerWeights(teacher: string, layer: string): readonly LayerWeight[];
}
