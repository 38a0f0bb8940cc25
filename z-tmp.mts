import { scenarioSchema } from './src/scenario/schema.js';
import { z } from 'zod';
const r = scenarioSchema.safeParse({ name: 'x', duration: '1h', traffic: { rate: { product: [{ constant: '100/s' }, { spike: { at: '10m', multiplier: 50, rise: 'x' } }] }, classes: { a: { share: 1, cpu: { lognormal: { mean: '20ms', cv: 1 } } } } }, services: { web: { replicas: 2, resources: { requests: { cpu: 'fast' } } } } });
console.log(JSON.stringify(r.success ? r.data : r.error.issues, null, 0));
const j = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
console.log(JSON.stringify(j).length, Object.keys(j));
