import { z } from 'zod';

/**
 * "Did you mean" for unknown fields: the field names allowed at a path come from the schema's JSON
 * Schema (every branch of a union counts), and the nearest by edit distance is suggested.
 */

interface JsonSchema {
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    jsonSchemas.set(schema, json);
  }
  return json;
}

/** `#/$defs/Curve` → that node of `root`. */
function resolvePointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(1).split('/').filter((p) => p !== '')) {
    node = (node as Record<string, unknown> | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node as JsonSchema | undefined;
}

/** `schema` and every schema it stands for through $ref and anyOf/oneOf/allOf. */
function alternatives(root: JsonSchema, schema: JsonSchema): JsonSchema[] {
  const found: JsonSchema[] = [];
  const pending = [schema];
  const seen = new Set<JsonSchema>();
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    found.push(node);
    const target = node.$ref === undefined ? undefined : resolvePointer(root, node.$ref);
    if (target) pending.push(target);
    pending.push(...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? []));
  }
  return found;
}

function child(schema: JsonSchema, key: PropertyKey): JsonSchema | undefined {
  if (typeof key === 'number') {
    if (schema.prefixItems?.[key]) return schema.prefixItems[key];
    return Array.isArray(schema.items) ? schema.items[key] : schema.items;
  }
  const property = schema.properties?.[String(key)];
  if (property) return property;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** The field names an object at `path` may have under `schema`. */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const root = jsonSchemaOf(schema);
  let current = [root];
  for (const key of path) current = current.flatMap((s) => alternatives(root, s)).flatMap((s) => child(s, key) ?? []);
  return [...new Set(current.flatMap((s) => alternatives(root, s)).flatMap((s) => Object.keys(s.properties ?? {})))];
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1];
}

/** The candidate nearest to `word` (ignoring case), if it is close: at most one edit per three characters. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
