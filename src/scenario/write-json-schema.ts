import { z } from 'zod';
import { scenarioSchema } from './schema.js';

/** The JSON Schema an editor uses for completion and checking (`"$schema": "../scenario.schema.json"`). */
export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' });
  return `${JSON.stringify({ ...schema, title: 'scalesim scenario' }, null, 2)}\n`;
}
