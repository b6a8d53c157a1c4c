import * as z from 'zod';

/** A strategy option that must be a number > 0 (a temperature, a relation weight), with the one-line error. */
export const positiveNumber = z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' });
