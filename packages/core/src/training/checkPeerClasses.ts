import { DistilleryError } from '../errors/DistilleryError.js';
import type { ModelView } from '../models/ModelView.js';

/** Throws a one-line {@link DistilleryError} unless every peer predicts the student's classes. */
export function checkPeerClasses(peerViews: readonly ModelView[], studentClasses: number): void {
  peerViews.forEach((view, i) => {
    if (view.numClasses !== studentClasses) {
      throw new DistilleryError(
        `peers[${i}].model: ${view.role} predicts ${view.numClasses} classes, the student ${studentClasses}`,
        `peers[${i}].model`,
      );
    }
  });
}
