// Build step: writes the config's JSON Schema next to the compiled package, for editors.
import { writeFileSync } from 'node:fs';
import { experimentJsonSchema } from '../dist/index.js';

writeFileSync(process.argv[2], `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`);
