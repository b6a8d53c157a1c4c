import * as tf from '@tensorflow/tfjs-core';
import type { Logger } from '../composition/Logger.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { BackendPreference } from './BackendPreference.js';
import { backendSpeedOrder } from './backendSpeedOrder.js';

/** The last decision each logger was told, so several experiments in one process say it once. */
const lastLogged = new WeakMap<Logger, string>();

function logOnce(logger: Logger, line: string): void {
  if (lastLogged.get(logger) === line) return;
  lastLogged.set(logger, line);
  logger.info(line);
}

/**
 * Switches tfjs to the backend an experiment should run on and returns its name.
 * `requiredKernels` are the kernel names one training step runs (see `Distiller.requiredKernels`).
 */
export async function selectBackend(
  preference: BackendPreference,
  requiredKernels: readonly string[],
  logger: Logger,
): Promise<string> {
  const registered = backendSpeedOrder.filter((name) => tf.findBackendFactory(name) !== null);
  const missingKernels = (backend: string) => requiredKernels.filter((kernel) => tf.getKernel(kernel, backend) === undefined);

  if (preference !== 'auto') {
    if (!registered.includes(preference)) {
      throw new DistilleryError(
        `backend: '${preference}' is not installed; installed: ${registered.join(', ') || 'none'}`,
        'backend',
      );
    }
    const missing = missingKernels(preference);
    if (missing.length > 0) {
      throw new DistilleryError(
        `backend: '${preference}' cannot train this experiment, it has no kernel for ${missing.join(', ')}`,
        'backend',
      );
    }
    if (!(await tf.setBackend(preference))) {
      throw new DistilleryError(`backend: '${preference}' failed to initialise`, 'backend');
    }
    logOnce(logger, `backend: ${preference} (as configured)`);
    return preference;
  }

  const passedOver: string[] = backendSpeedOrder
    .filter((name) => !registered.includes(name) && name !== 'webgpu' && name !== 'webgl')
    .map((name) => `${name} is not installed`);
  for (const name of registered) {
    const missing = missingKernels(name);
    if (missing.length > 0) {
      passedOver.push(`${name} has no ${missing.join(', ')}`);
      continue;
    }
    if (!(await tf.setBackend(name))) {
      passedOver.push(`${name} failed to initialise`);
      continue;
    }
    const why = passedOver.length > 0 ? `; ${passedOver.join('; ')}` : '';
    logOnce(
      logger,
      `backend: ${name}, the fastest installed backend with all ${requiredKernels.length} kernel${requiredKernels.length === 1 ? '' : 's'} a training step runs${why}`,
    );
    return name;
  }
  throw new DistilleryError(`backend: no installed backend can train this experiment (${passedOver.join('; ')})`, 'backend');
}
