import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/write-json-schema.js';

test('the shipped scenario.schema.json is generated from the current zod schema (run `npm run schema` to update)', () => {
  expect(readFileSync('scenario.schema.json', 'utf8')).toBe(scenarioJsonSchema());
});

test('the JSON Schema describes the fields users write', () => {
  const schema = JSON.parse(scenarioJsonSchema());
  expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'duration', 'traffic', 'services', 'strategies']));
  expect(schema.additionalProperties).toBe(false);
});
