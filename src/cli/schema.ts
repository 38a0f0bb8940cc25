import { writeFileSync } from 'node:fs';
import { scenarioJsonSchema } from '../scenario/write-json-schema.js';

// `npm run schema`: regenerate the shipped scenario.schema.json.
writeFileSync('scenario.schema.json', scenarioJsonSchema());
