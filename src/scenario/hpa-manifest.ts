/**
 * A real `autoscaling/v2` HorizontalPodAutoscaler manifest, as a user pastes it from a cluster repo:
 * zod schema + YAML loader. Field names are Kubernetes' own; unknown keys inside `spec` are errors;
 * `metadata` is accepted as is and `status` is ignored. Validation follows upstream
 * `pkg/apis/autoscaling/validation` (ranges, one metric source per entry, both-or-neither rules).
 *
 * Quantities (`"500m"`, `"100"`, `"1k"`, `"2Gi"`, `1e3`, plain numbers) are converted to the units
 * of the HPA policy (src/policy/hpa/types.ts):
 * - `Resource`/`ContainerResource` `averageValue`: cpu → millicores, memory → bytes, others → base units;
 * - `Pods`/`Object`/`External` `value`/`averageValue` → milli-units (`"15"` → 15000, like `MilliValue()`);
 * - `behavior.*.tolerance` → a plain fraction (`"0.05"` → 0.05, like `AsApproximateFloat64()`).
 */
import { parseAllDocuments, LineCounter, type Document } from 'yaml';
import { z } from 'zod';
import type { HorizontalPodAutoscaler, MetricTarget } from '../policy/hpa/index.js';
import { applyMergePatch } from './merge-patch.js';
import { parseCpuMillicores, parseMemoryBytes } from './units.js';

// ---------------------------------------------------------------- Kubernetes quantities

/** A parsed Kubernetes quantity: exact milli-value (rounded up, as `MilliValue()`) and a float approximation. */
export interface Quantity {
  text: string;
  milliValue: number;
  approximate: number;
}

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E)?$/;
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXPONENT: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Kubernetes quantity syntax (resource.Quantity): sign, decimal number, then a binary, decimal or exponent suffix. */
export function parseQuantity(input: string | number): Quantity | undefined {
  const text = typeof input === 'number' ? (Number.isFinite(input) ? String(input) : '') : input.trim();
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign, number, suffix = ''] = match;
  const [whole, fraction = ''] = number.split('.');
  const digits = BigInt(`${whole}${fraction}` || '0');
  // value = digits × 10^(decimalExp − |fraction|) × 2^binaryExp; milli = value × 10^3, rounded up.
  let decimalExp = 3 - fraction.length;
  let binaryExp = 0;
  if (suffix in BINARY_EXPONENT) binaryExp = BINARY_EXPONENT[suffix];
  else if (suffix.startsWith('e') || suffix.startsWith('E')) decimalExp += Number(suffix.slice(1));
  else decimalExp += DECIMAL_EXPONENT[suffix];
  // 10^exponent as a BigInt takes time and memory that grow with the exponent ("1e999999999" would
  // hang); beyond the digits written plus a margin far past a double's range the outcome is known.
  const negative = sign === '-' && digits !== 0n;
  const reach = number.length + 400;
  if (digits !== 0n && decimalExp > reach) return { text, milliValue: negative ? -Infinity : Infinity, approximate: negative ? -Infinity : Infinity };
  if (digits !== 0n && decimalExp < -reach) return { text, milliValue: negative ? -1 : 1, approximate: 0 };
  let numerator = digits * 2n ** BigInt(binaryExp);
  let denominator = 1n;
  if (decimalExp >= 0) numerator *= 10n ** BigInt(decimalExp);
  else denominator = 10n ** BigInt(-decimalExp);
  let milli = numerator / denominator;
  if (numerator % denominator !== 0n) milli += 1n;
  const milliValue = Number(milli) * (negative ? -1 : 1);
  const approximate = (Number(numerator) / Number(denominator) / 1000) * (negative ? -1 : 1);
  return { text, milliValue, approximate };
}

// ---------------------------------------------------------------- messages

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** An error function: "required: expected X" when absent, "expected X, got Y" otherwise. */
const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `required: expected ${what}` : `expected ${what}, got ${describeValue(issue.input)}`;

const unknownKeys = (fields: readonly string[], hint: string, what: string) => (issue: { code?: string; keys?: string[]; input?: unknown }) => {
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue.keys ?? []).map((k) => JSON.stringify(k)).join(', ');
    return `unknown field${(issue.keys ?? []).length > 1 ? 's' : ''} ${keys}${hint} (allowed: ${fields.join(', ')})`;
  }
  return expected(what)(issue);
};

/** z.strictObject with messages that name unknown keys and list the allowed ones. */
function strict<T extends z.ZodRawShape>(shape: T, hint = '', what = 'a mapping') {
  return z.strictObject(shape, { error: unknownKeys(Object.keys(shape), hint, what) });
}

const str = (what = 'a string') => z.string({ error: expected(what) }).min(1, { error: `expected ${what}, got ""` });

const integer = (what: string, min: number, max?: number) => {
  let schema = z
    .number({ error: expected(what) })
    .int({ error: (issue) => `expected ${what}, got ${describeValue(issue.input)}` })
    .min(min, { error: (issue) => `must be ≥ ${min}, got ${describeValue(issue.input)}` });
  if (max !== undefined) schema = schema.max(max, { error: (issue) => `must be ≤ ${max}, got ${describeValue(issue.input)}` });
  return schema;
};

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => `${issue.input === undefined ? 'required: ' : ''}expected one of ${values.join(', ')}${issue.input === undefined ? '' : `, got ${describeValue(issue.input)}`}` });

/** A quantity string or number; `positive` adds upstream's "must be positive". */
const quantity = (positive: boolean) =>
  z
    .union([z.string(), z.number()], { error: expected('a Kubernetes quantity like "500m", "100", "1k" or "2Gi"') })
    .transform((value, ctx): Quantity => {
      const parsed = parseQuantity(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a Kubernetes quantity like "500m", "100", "1k" or "2Gi", got ${describeValue(value)}` });
        return z.NEVER;
      }
      if (!Number.isFinite(parsed.approximate) || !Number.isFinite(parsed.milliValue)) {
        ctx.addIssue({ code: 'custom', message: `must be a finite quantity, got ${describeValue(value)}` });
        return z.NEVER;
      }
      if (positive ? parsed.milliValue <= 0 : parsed.approximate < 0) {
        ctx.addIssue({ code: 'custom', message: `must be ${positive ? 'positive' : '≥ 0'}, got ${describeValue(value)}` });
        return z.NEVER;
      }
      return parsed;
    });

// ---------------------------------------------------------------- spec pieces

const labelSelectorSchema = strict({
  matchLabels: z.record(z.string(), z.string({ error: expected('a string label value') }), { error: expected('a mapping of labels') }).optional(),
  matchExpressions: z
    .array(strict({ key: str('a label key'), operator: oneOf(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string({ error: expected('a string') })).optional() }), {
      error: expected('a list'),
    })
    .optional(),
});

const metricIdentifierSchema = strict({ name: str('a metric name'), selector: labelSelectorSchema.optional() });

const objectReference = (what: string) => strict({ apiVersion: str('an apiVersion').optional(), kind: str('a kind'), name: str('a name') }, '', what);

const metricTargetSchema = strict({
  type: oneOf(['Utilization', 'Value', 'AverageValue']),
  averageUtilization: integer('an integer percentage', 1).optional(),
  averageValue: quantity(true).optional(),
  value: quantity(true).optional(),
});
type ParsedTarget = z.output<typeof metricTargetSchema>;

/** cpu → millicores, memory → bytes, others → base units (the policy's resource units). */
function resourceAmount(resource: string, q: Quantity): number {
  if (resource === 'cpu') return parseCpuMillicores(q.text) ?? q.milliValue;
  if (resource === 'memory') return parseMemoryBytes(q.text) ?? q.milliValue / 1000;
  return q.milliValue / 1000;
}

function toTarget(target: ParsedTarget, convert: (q: Quantity) => number): MetricTarget {
  return {
    type: target.type,
    ...(target.averageUtilization !== undefined ? { averageUtilization: target.averageUtilization } : {}),
    ...(target.averageValue !== undefined ? { averageValue: convert(target.averageValue) } : {}),
    ...(target.value !== undefined ? { value: convert(target.value) } : {}),
  };
}

type Ctx = z.core.$RefinementCtx;
function requireOneOfUtilizationOrValue(target: ParsedTarget, ctx: Ctx): void {
  if (target.averageUtilization === undefined && target.averageValue === undefined) {
    ctx.addIssue({ code: 'custom', path: ['target', 'averageUtilization'], message: 'must set either a target raw value or a target utilization (averageUtilization or averageValue)' });
  }
  if (target.averageUtilization !== undefined && target.averageValue !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['target', 'averageValue'], message: 'may not set both a target raw value and a target utilization' });
  }
}

const resourceSourceSchema = strict({ name: str('a resource name such as cpu or memory'), target: metricTargetSchema })
  .superRefine((src, ctx) => requireOneOfUtilizationOrValue(src.target, ctx))
  .transform((src) => ({ name: src.name, target: toTarget(src.target, (q) => resourceAmount(src.name, q)) }));

const containerResourceSourceSchema = strict({ name: str('a resource name such as cpu or memory'), container: str('a container name'), target: metricTargetSchema })
  .superRefine((src, ctx) => requireOneOfUtilizationOrValue(src.target, ctx))
  .transform((src) => ({ name: src.name, container: src.container, target: toTarget(src.target, (q) => resourceAmount(src.name, q)) }));

const milli = (q: Quantity) => q.milliValue;

const podsSourceSchema = strict({ metric: metricIdentifierSchema, target: metricTargetSchema })
  .superRefine((src, ctx) => {
    if (src.target.averageValue === undefined) ctx.addIssue({ code: 'custom', path: ['target', 'averageValue'], message: 'required: a Pods metric needs a positive target averageValue' });
  })
  .transform((src) => ({ metric: src.metric, target: toTarget(src.target, milli) }));

const objectSourceSchema = strict({ describedObject: objectReference('a mapping with kind and name'), metric: metricIdentifierSchema, target: metricTargetSchema })
  .superRefine((src, ctx) => {
    if (src.target.value === undefined && src.target.averageValue === undefined) {
      ctx.addIssue({ code: 'custom', path: ['target', 'averageValue'], message: 'must set either a target value or averageValue' });
    }
  })
  .transform((src) => ({ describedObject: src.describedObject, metric: src.metric, target: toTarget(src.target, milli) }));

const externalSourceSchema = strict({ metric: metricIdentifierSchema, target: metricTargetSchema })
  .superRefine((src, ctx) => {
    if (src.target.value === undefined && src.target.averageValue === undefined) {
      ctx.addIssue({ code: 'custom', path: ['target', 'averageValue'], message: 'must set either a target value for metric or a per-pod target' });
    }
    if (src.target.value !== undefined && src.target.averageValue !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['target', 'value'], message: 'may not set both a target value for metric and a per-pod target' });
    }
  })
  .transform((src) => ({ metric: src.metric, target: toTarget(src.target, milli) }));

const onlySource = (type: string, field: string) => ` (a ${type} metric sets only type and ${field})`;
const METRIC_TYPES = ['Resource', 'ContainerResource', 'Pods', 'Object', 'External'] as const;

const metricSpecSchema = z.discriminatedUnion(
  'type',
  [
    strict({ type: z.literal('Resource'), resource: resourceSourceSchema }, onlySource('Resource', 'resource')),
    strict({ type: z.literal('ContainerResource'), containerResource: containerResourceSourceSchema }, onlySource('ContainerResource', 'containerResource')),
    strict({ type: z.literal('Pods'), pods: podsSourceSchema }, onlySource('Pods', 'pods')),
    strict({ type: z.literal('Object'), object: objectSourceSchema }, onlySource('Object', 'object')),
    strict({ type: z.literal('External'), external: externalSourceSchema }, onlySource('External', 'external')),
  ],
  {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return expected('a metric mapping')(issue);
      const type = (issue.input as { type?: unknown } | undefined)?.type;
      return `${type === undefined ? 'required: ' : ''}expected one of ${METRIC_TYPES.join(', ')}${type === undefined ? '' : `, got ${describeValue(type)}`}`;
    },
  },
);

const scalingPolicySchema = strict({
  type: oneOf(['Pods', 'Percent']),
  value: integer('an integer > 0', 1),
  periodSeconds: integer('an integer number of seconds', 1, 1800),
});

const scalingRulesSchema = strict({
  stabilizationWindowSeconds: integer('an integer number of seconds', 0, 3600).optional(),
  selectPolicy: oneOf(['Max', 'Min', 'Disabled']).optional(),
  policies: z.array(scalingPolicySchema, { error: expected('a list of policies') }).min(1, { error: 'must specify at least one policy' }).optional(),
  tolerance: quantity(false)
    .transform((q) => q.approximate)
    .optional(),
});

const behaviorSchema = strict({ scaleUp: scalingRulesSchema.optional(), scaleDown: scalingRulesSchema.optional() });

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** minReplicas and maxReplicas are int32 in the API. */
const INT32_MAX = 2_147_483_647;

const specSchema = strict({
  scaleTargetRef: objectReference('a mapping with kind and name (the Deployment to scale)'),
  minReplicas: integer('an integer', 0, INT32_MAX).optional(),
  maxReplicas: integer('an integer ≥ 1', 1, INT32_MAX),
  metrics: z.array(metricSpecSchema, { error: expected('a list of metrics') }).optional(),
  behavior: behaviorSchema.optional(),
}, '', 'a mapping with scaleTargetRef, maxReplicas and metrics')
  // Cross-field rules run even when other fields are broken, as long as the fields they read are fine.
  .refine((spec) => spec.maxReplicas >= (spec.minReplicas ?? 1), {
    path: ['maxReplicas'],
    error: (issue) => {
      const spec = issue.input as { minReplicas?: number; maxReplicas: number };
      return `must be ≥ minReplicas (${spec.minReplicas ?? 1}), got ${spec.maxReplicas}`;
    },
    when: (payload) => isMapping(payload.value) && payload.issues.every((i) => i.path?.[0] !== 'minReplicas' && i.path?.[0] !== 'maxReplicas'),
  })
  .refine((spec) => spec.minReplicas !== 0 || (spec.metrics ?? []).some((m) => m.type === 'Object' || m.type === 'External'), {
    path: ['minReplicas'],
    error: 'minReplicas 0 needs at least one Object or External metric to support scaling to zero replicas',
    when: (payload) => isMapping(payload.value) && payload.issues.every((i) => i.path?.[0] !== 'minReplicas' && i.path?.[0] !== 'metrics'),
  });

/** Versions with the v2 fields: v2beta2 differs only in lacking `behavior.*.tolerance`, which is optional. */
const API_VERSIONS = ['autoscaling/v2', 'autoscaling/v2beta2'] as const;

/** A `kind: HorizontalPodAutoscaler`, `apiVersion: autoscaling/v2` (or v2beta2) manifest → the policy's HPA shape. */
export const horizontalPodAutoscalerSchema = strict({
  apiVersion: z.enum(API_VERSIONS, {
    error: (issue) =>
      issue.input === 'autoscaling/v1' || issue.input === 'autoscaling/v2beta1'
        ? `expected "autoscaling/v2", got ${describeValue(issue.input)} (convert it first, e.g. kubectl convert; v1's targetCPUUtilizationPercentage becomes metrics[].resource.target.averageUtilization)`
        : expected('"autoscaling/v2" (or "autoscaling/v2beta2")')(issue),
  }),
  kind: z.literal('HorizontalPodAutoscaler', { error: expected('"HorizontalPodAutoscaler"') }),
  metadata: z.looseObject({ name: z.string({ error: expected('a string') }).optional(), namespace: z.string({ error: expected('a string') }).optional() }, { error: expected('a mapping') }).optional(),
  spec: specSchema,
  status: z.unknown().optional(),
}).transform(({ status: _status, ...hpa }) => hpa);

/** The parsed manifest; assignable to the policy's `HorizontalPodAutoscaler`. */
export type HorizontalPodAutoscalerManifest = z.output<typeof horizontalPodAutoscalerSchema>;

// The schema's output must be something computeHpaDecision accepts.
const _outputIsPolicyHpa = (manifest: HorizontalPodAutoscalerManifest): HorizontalPodAutoscaler => manifest;
void _outputIsPolicyHpa;

// ---------------------------------------------------------------- loading

export interface ManifestIssue {
  path: string;
  message: string;
  /**
   * Set when the offending value comes from `ParseHpaOptions.patch`: where it is in the manifest (the
   * unknown key itself for an unknown field); `path` is then relative to the manifest, without the file.
   */
  patched?: readonly PropertyKey[];
}

export type ParseHpaManifestResult = { ok: true; hpa: HorizontalPodAutoscalerManifest; note?: string } | { ok: false; issues: ManifestIssue[] };

export interface ParseHpaOptions {
  /** The Deployment to scale: among several HPAs, the one whose `scaleTargetRef.name` names it is used. */
  target?: string;
  /** Checks of the parsed HPA; their paths get the file prefix and a line number like the schema's. */
  check?: (hpa: HorizontalPodAutoscalerManifest) => { path: readonly PropertyKey[]; message: string }[];
  /**
   * An RFC 7396 merge patch applied to the chosen HPA before it is validated (a scenario's
   * `{ file, spec: { maxReplicas: 200 } }`). Problems with a value the patch set are reported
   * with `patched`, the value's path, and no file prefix or line: the caller knows where the patch is.
   */
  patch?: Record<string, unknown>;
}

/** The value at `path` inside `value`, or undefined. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/** ["spec", "metrics", 0, "resource"] → "spec.metrics[0].resource". */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');
}

/** The line of the deepest existing node on the path, for "(line N)". */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** One object of the file: a document, or an item of a `kind: List` document. */
interface Candidate {
  doc: Document;
  /** 1-based, among the file's documents. */
  docNumber: number;
  /** Path of the object inside its document: [] or ["items", j]. */
  base: (string | number)[];
  value: unknown;
  /** "document 2 of 3", "items[1] of the List in document 1 of 1". */
  where: string;
}

const isList = (value: unknown): value is { items: unknown[] } => isMapping(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
const kindOf = (value: unknown) => (isMapping(value) ? value.kind : undefined);
const targetOf = (value: unknown) => {
  const ref = isMapping(value) && isMapping(value.spec) ? value.spec.scaleTargetRef : undefined;
  return isMapping(ref) ? { kind: ref.kind, name: ref.name } : undefined;
};
const nameOf = (value: unknown) => (isMapping(value) && isMapping(value.metadata) && typeof value.metadata.name === 'string' ? JSON.stringify(value.metadata.name) : '(unnamed)');

/** The first line that is not a comment and holds `{{`: a chart template, not a manifest. */
function templateLine(text: string): number | undefined {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => !/^\s*#/.test(line) && line.includes('{{'));
  return index < 0 ? undefined : index + 1;
}

/**
 * Parses YAML text holding HorizontalPodAutoscalers, as `kubectl apply -f` takes it: several `---`
 * documents (other kinds are skipped) or a `kind: List`. With `target`, the HPA whose
 * scaleTargetRef names it is used; without, the file must hold exactly one. When the HPA was
 * picked among others, `note` says which. Every issue's path starts with the file name:
 * `hpa.yaml: spec.maxReplicas` + `must be ≥ minReplicas (2), got 1 (line 9)`.
 */
export function parseHpaManifest(text: string, fileName: string, options: ParseHpaOptions = {}): ParseHpaManifestResult {
  const fail = (message: string, path = fileName): ParseHpaManifestResult => ({ ok: false, issues: [{ path, message }] });
  const template = templateLine(text);
  if (template !== undefined)
    return fail('a Helm or Go template ({{ … }}), not a manifest: render it first (e.g. helm template <release> <chart> --show-only templates/hpa.yaml > hpa.yaml) and point at the rendered file', `${fileName}:${template}`);

  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(documents)) return fail('expected a YAML document with a HorizontalPodAutoscaler, found nothing');

  const syntaxIssues: ManifestIssue[] = [];
  for (const doc of documents) {
    for (const error of doc.errors) {
      const at = lineCounter.linePos(error.pos[0]);
      syntaxIssues.push({ path: `${fileName}:${at.line}:${at.col}`, message: `invalid YAML: ${error.message.split('\n')[0]}` });
    }
  }
  if (syntaxIssues.length > 0) return { ok: false, issues: syntaxIssues };

  const present = documents.map((doc, index) => ({ doc, index, value: doc.toJS() as unknown })).filter((d) => d.value !== null && d.value !== undefined);
  if (present.length === 0) return fail('expected a HorizontalPodAutoscaler manifest, the file is empty');
  const candidates: Candidate[] = present.flatMap(({ doc, index, value }) => {
    const where = `document ${index + 1} of ${documents.length}`;
    if (!isList(value)) return [{ doc, docNumber: index + 1, base: [], value, where }];
    return value.items.map((item, j) => ({ doc, docNumber: index + 1, base: ['items', j], value: item, where: `items[${j}] of the List in ${where}` }));
  });

  const hpas = candidates.filter((c) => kindOf(c.value) === 'HorizontalPodAutoscaler');
  const listing = (list: Candidate[], describe: (c: Candidate) => string) => list.map((c) => `${describe(c)} (${c.where})`).join(', ');
  let chosen: Candidate;
  if (candidates.length === 1) chosen = candidates[0];
  else if (hpas.length === 0) {
    const kinds = listing(candidates, (c) => describeValue(kindOf(c.value)));
    return fail(`expected a HorizontalPodAutoscaler among the ${candidates.length} objects, found none (kinds: ${kinds})`);
  } else if (options.target !== undefined) {
    const matching = hpas.filter((c) => targetOf(c.value)?.name === options.target);
    if (matching.length > 1)
      return fail(`expected one HorizontalPodAutoscaler for ${JSON.stringify(options.target)}, found ${matching.length}: ${listing(matching, (c) => nameOf(c.value))}; they would fight over its replicas, keep one`);
    if (matching.length === 0 && hpas.length > 1) {
      const targets = listing(hpas, (c) => {
        const ref = targetOf(c.value);
        return `${nameOf(c.value)} → ${ref ? `${String(ref.kind)} ${describeValue(ref.name)}` : 'no scaleTargetRef'}`;
      });
      return fail(`expected a HorizontalPodAutoscaler whose scaleTargetRef names ${JSON.stringify(options.target)}, found only: ${targets}`);
    }
    chosen = matching[0] ?? hpas[0]; // a lone HPA with another target: the check names the field
  } else if (hpas.length === 1) chosen = hpas[0];
  else return fail(`expected exactly one HorizontalPodAutoscaler, found ${hpas.length} (${hpas.map((c) => c.where).join(', ')}); put each in its own file`);

  const picked = candidates.length > 1 || chosen.base.length > 0;
  const prefix = present.length > 1 ? `${fileName}: document ${chosen.docNumber}: ` : `${fileName}: `;
  const toIssue = (path: readonly PropertyKey[], message: string, lineAt = path): ManifestIssue => {
    if (options.patch !== undefined && valueAt(options.patch, lineAt) !== undefined) return { path: formatPath(path), message, patched: lineAt };
    const line = lineOf(chosen.doc, lineCounter, [...chosen.base, ...lineAt]);
    return { path: `${prefix}${formatPath([...chosen.base, ...path]) || '(document)'}`, message: `${message}${line !== undefined ? ` (line ${line})` : ''}` };
  };

  // Not a mapping (a key file, /etc/passwd read as one long string…): named by its type only, never echoed.
  if (typeof chosen.value !== 'object' || Array.isArray(chosen.value))
    return { ok: false, issues: [{ path: fileName, message: `expected a HorizontalPodAutoscaler manifest (a YAML mapping), got ${Array.isArray(chosen.value) ? 'a list' : `a ${typeof chosen.value}`}` }] };
  const result = horizontalPodAutoscalerSchema.safeParse(options.patch === undefined ? chosen.value : applyMergePatch(chosen.value, options.patch));
  if (!result.success)
    return {
      ok: false,
      // For an unknown key, point at the key itself rather than at its parent mapping.
      issues: result.error.issues.map((issue) => toIssue(issue.path, issue.message, issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]] : issue.path)),
    };
  const problems = options.check?.(result.data) ?? [];
  if (problems.length > 0) return { ok: false, issues: problems.map((p) => toIssue(p.path, p.message)) };
  return { ok: true, hpa: result.data, ...(picked ? { note: `using HorizontalPodAutoscaler ${nameOf(chosen.value)} (${chosen.where})` } : {}) };
}
