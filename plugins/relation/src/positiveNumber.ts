import * as z from 'zod';

/** An option that must be a number > 0 (a term's weight, a kernel width), with the one-line error. */
export const positiveNumber = z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' });
