import { DistilleryError } from '@distillery/core';

/** Throws a one-line {@link DistilleryError} unless `temperature` is a finite positive number. */
export function validateTemperature(lossName: string, temperature: number): void {
  if (!Number.isFinite(temperature) || temperature <= 0) {
    throw new DistilleryError(`${lossName}: temperature must be a finite positive number, got ${temperature}`);
  }
}
