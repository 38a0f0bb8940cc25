import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { nestingIssue, parseScenarioText, structureIssues, type FieldPath, type Locate } from './document.js';
import type { ParsedTrace } from './imports/trace.js';
import { formatPath, type InputIssue, type Loaded } from './issues.js';
import { applyMergePatch } from './merge-patch.js';
import { horizontalPodAutoscalerSchema, parseHpaManifest, type HorizontalPodAutoscalerManifest } from './hpa-manifest.js';
import { checkHpaForService } from './hpa-target.js';
import { strategyNameProblems } from './names.js';
import { MAX_MANIFEST_BYTES, MAX_TRACE_BYTES, resolveReferencedFile } from './referenced-file.js';
import { hpaSimulationIssues } from './hpa-checks.js';
import { unroutedServiceIssues } from './routes.js';
import { periodIssues } from './estimate.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { allowedKeys, nearest } from './suggest.js';
import { validateSloAgainstInterval, validateSloGate } from './slo-schema.js';
import { defaultPriceCatalog, lookupPrice, withOverrides } from '../catalog/prices.js';

/** A parsed trace file with the functions that replay it (see imports/trace.ts). */
export interface LoadedTrace {
  readonly trace: ParsedTrace;
  readonly expand: typeof import('./imports/trace.js').expandTraceToArrivals;
  readonly passDuration: typeof import('./imports/trace.js').passDurationMicros;
}

/** Parsed trace files, by the path written in the scenario. */
export type LoadedTraces = ReadonlyMap<string, LoadedTrace>;

export interface StrategyScenario {
  readonly name: string;
  readonly scenario: Scenario;
}

export interface LoadedScenario {
  readonly path: string;
  /** The scenario as written, without `strategies`. */
  readonly base: Scenario;
  /** Each strategy's patched scenario; a single `baseline` when the file has none. */
  readonly strategies: readonly StrategyScenario[];
  readonly traces: LoadedTraces;
  /** The file's data as parsed (for the report), strategies included. */
  readonly raw: Record<string, unknown>;
  /** What the loader chose for the user, worth saying (which HPA of a manifest file it uses). */
  readonly notes: readonly InputIssue[];
}

export interface LoadOverrides {
  /** Replace `seed`. */
  seed?: number | string;
  /** Replace `duration` (already in µs). */
  durationMicros?: number;
  /** Not an override: let referenced files be absolute or outside the scenario's folder (`--allow-outside-files`). */
  allowOutsideFiles?: boolean;
}

/** Reads, validates and resolves a scenario file (JSON or YAML), reporting every problem. */
export async function loadScenarioFile(path: string, overrides: LoadOverrides = {}): Promise<Loaded<LoadedScenario>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return fail(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const parsed = parseScenarioText(text, path);
  if (!parsed.ok) return parsed;
  return resolveScenario(parsed.value.value, path, overrides, parsed.value.locate);
}

/** Validates an already-parsed scenario document; `path` locates relative files, `locate` finds the line of a field. */
export async function resolveScenario(document: unknown, path: string, overrides: LoadOverrides = {}, locate: Locate = () => ({})): Promise<Loaded<LoadedScenario>> {
  if (!isObject(document)) return fail('', 'expected the scenario to be an object (a JSON object or a YAML mapping)');
  // Depth and forbidden keys first: zod and the merge patch recurse, and would take `__proto__` as a prototype.
  const structure = structureIssues(document, locate);
  if (structure.length > 0) return { ok: false, issues: structure };
  const { strategies: patches, ...baseRaw } = document;
  const issues: InputIssue[] = [];
  const notes: InputIssue[] = [];
  const context: Context = { directory: dirname(path), allowOutside: overrides.allowOutsideFiles === true, locate };
  const base = validate(baseRaw, issues, context, notes);
  if (patches !== undefined && !isObject(patches)) issues.push({ path: 'strategies', message: 'expected a mapping of strategy name → merge patch', ...locate(['strategies']) });

  const strategies: StrategyScenario[] = [];
  const entries = isObject(patches) ? Object.entries(patches) : [];
  if (isObject(patches) && entries.length === 0) issues.push({ path: 'strategies', message: 'expected at least one strategy (or leave `strategies` out)', ...locate(['strategies']) });
  const baseProblems = new Set(issues.map((i) => `${i.path}|${i.message}`));
  const badNames = strategyNameProblems(entries.map(([name]) => name));
  for (const [name, patch] of entries) {
    const nameProblem = badNames.get(name);
    if (nameProblem !== undefined) issues.push({ path: `strategies.${name}`, message: nameProblem, ...locate(['strategies', name]) });
    if (!isObject(patch)) {
      issues.push({ path: `strategies.${name}`, message: `expected a merge patch object, got ${JSON.stringify(patch)}`, ...locate(['strategies', name]) });
      continue;
    }
    if ('strategies' in patch) issues.push({ path: `strategies.${name}.strategies`, message: 'a strategy cannot define strategies', ...locate(['strategies', name, 'strategies']) });
    const strategyIssues: InputIssue[] = [];
    const strategyNotes: InputIssue[] = [];
    // A field the patch sets is found in the patch, any other in the base.
    const inPatch: Locate = (at) => {
      const found = locate(['strategies', name, ...at]);
      return valueAt(patch, at) !== undefined && found.line !== undefined ? found : locate(at);
    };
    const scenario = validate(applyMergePatch(baseRaw, patch), strategyIssues, { ...context, locate: inPatch }, strategyNotes);
    // Problems already reported for the base are not repeated for every strategy.
    for (const issue of strategyIssues)
      if (!baseProblems.has(`${issue.path}|${issue.message}`)) issues.push({ ...issue, path: `strategies.${name} → ${issue.path}` });
    for (const note of strategyNotes)
      if (!notes.some((n) => n.path === note.path && n.message === note.message)) notes.push({ path: `strategies.${name} → ${note.path}`, message: note.message });
    if (scenario) strategies.push({ name, scenario: applyOverrides(scenario, overrides) });
  }

  if (base) {
    const runs = entries.length > 0 ? strategies : [{ name: 'baseline', scenario: applyOverrides(base, overrides) }];
    issues.push(...inEveryRun(runs, unroutedServiceIssues), ...inEveryRun(runs, periodIssues));
  }

  const traces = new Map<string, LoadedTrace>();
  if (base) {
    const tried = new Set<string>();
    for (const { name, scenario } of [{ name: undefined, scenario: base }, ...strategies]) {
      const spec = scenario.traffic.trace;
      if (!spec || tried.has(spec.file)) continue;
      tried.add(spec.file);
      const field: FieldPath = name === undefined || valueAt(patches, [name, 'traffic', 'trace', 'file']) === undefined ? ['traffic', 'trace', 'file'] : ['strategies', name, 'traffic', 'trace', 'file'];
      const file = resolveReferencedFile(formatPath(field), spec.file, context.directory, { allowOutside: context.allowOutside, maxBytes: MAX_TRACE_BYTES });
      if (!file.ok) {
        issues.push({ ...file.issue, ...locate(field) });
        continue;
      }
      const trace = await loadTrace(file.path, spec.format, spec.file, issues);
      if (trace) traces.set(spec.file, trace);
    }
    issues.push(...(await replayIssues(base, strategies, traces)));
  }
  if (base?.slo) {
    for (const problem of [...validateSloAgainstInterval(base.slo, base.metricsInterval), ...(entries.length > 0 ? validateSloGate(base.slo, entries.map(([name]) => name)) : [])]) {
      const at = problem.indexOf(': ');
      issues.push({ path: problem.slice(0, at), message: problem.slice(at + 2) });
    }
  }
  if (issues.length > 0 || !base) return { ok: false, issues };
  const resolvedBase = applyOverrides(base, overrides);
  return {
    ok: true,
    value: {
      path,
      base: resolvedBase,
      strategies: entries.length > 0 ? strategies : [{ name: 'baseline', scenario: resolvedBase }],
      traces,
      raw: document,
      notes,
    },
  };
}

/**
 * A check of the scenarios that run, after strategies and flags (a strategy may move
 * `traffic.target` and remove the old service; --duration changes what a period must be):
 * a problem every run has is reported once, others per strategy.
 */
function inEveryRun(runs: readonly StrategyScenario[], check: (scenario: Scenario) => InputIssue[]): InputIssue[] {
  const found = runs.map((run) => check(run.scenario));
  const everywhere = (issue: InputIssue) => found.every((issues) => issues.some((other) => other.path === issue.path));
  return [
    ...(found[0] ?? []).filter(everywhere),
    ...runs.flatMap((run, i) => found[i].filter((issue) => !everywhere(issue)).map((issue) => ({ path: `strategies.${run.name} → ${issue.path}`, message: issue.message }))),
  ];
}

function applyOverrides(scenario: Scenario, overrides: LoadOverrides): Scenario {
  return {
    ...scenario,
    ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
    ...(overrides.durationMicros !== undefined ? { duration: overrides.durationMicros } : {}),
  };
}

/** Where a scenario's relative files are, whether they may leave it, and how to find a field's line. */
interface Context {
  readonly directory: string;
  readonly allowOutside: boolean;
  readonly locate: Locate;
}

function validate(raw: unknown, issues: InputIssue[], context: Context, notes: InputIssue[]): Scenario | undefined {
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) issues.push(...toInputIssues(issue, raw, scenarioSchema, [], context.locate));
    return undefined;
  }
  const before = issues.length;
  for (const [name, service] of Object.entries(result.data.services)) {
    if (service.hpa === undefined || service.hpa === null) {
      service.hpa = undefined;
      continue;
    }
    const check = (hpa: HorizontalPodAutoscalerManifest) => checkHpaForService(hpa, name, service);
    service.hpa = resolveHpa(service.hpa, ['services', name, 'hpa'], context, issues, { target: name, check, notes });
  }
  checkPrices(result.data, issues);
  return issues.length === before ? result.data : undefined;
}

/** Price overrides are well-formed and every price the run will charge exists. */
function checkPrices(scenario: Scenario, issues: InputIssue[]): void {
  const catalog = withOverrides(defaultPriceCatalog, scenario.cost.prices, 'cost.prices');
  if (!catalog.ok) {
    issues.push(...catalog.errors);
    return;
  }
  const { controlPlane } = scenario.cost;
  if (controlPlane !== 'none') {
    const found = lookupPrice(catalog.catalog, controlPlane, 'cost.controlPlane');
    if (!found.ok) issues.push(found.error);
  }
}

/**
 * An HPA written inline (autoscaling/v2 as pasted) or in a manifest file, validated like the rest and
 * against its service. Beside `file`, the fields of a manifest (`spec`, `metadata`…) are a merge patch
 * applied to the file's HPA: a strategy changes `spec.maxReplicas` without repeating the manifest.
 */
function resolveHpa(value: unknown, at: FieldPath, context: Context, issues: InputIssue[], service: HpaTarget): unknown {
  if (isObject(value) && 'file' in value) {
    const { file: written, ...patch } = value;
    if (typeof written !== 'string') {
      issues.push({ path: formatPath(at), message: 'expected { file: "<manifest.yaml>" } (with manifest fields to patch, e.g. spec.maxReplicas) or an autoscaling/v2 HorizontalPodAutoscaler', ...context.locate(at) });
      return undefined;
    }
    const field = [...at, 'file'];
    const file = resolveReferencedFile(formatPath(field), written, context.directory, { allowOutside: context.allowOutside, maxBytes: MAX_MANIFEST_BYTES });
    if (!file.ok) {
      issues.push({ ...file.issue, ...context.locate(field) });
      return undefined;
    }
    let text: string;
    try {
      text = readFileSync(file.path, 'utf8');
    } catch (error) {
      issues.push({ path: formatPath(field), message: `cannot read ${JSON.stringify(written)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, ...context.locate(field) });
      return undefined;
    }
    const tooDeep = nestingIssue(text, written);
    if (tooDeep) {
      issues.push(tooDeep);
      return undefined;
    }
    const patched = Object.keys(patch).length > 0;
    const parsed = parseHpaManifest(text, written, { target: service.target, check: service.check, ...(patched ? { patch } : {}) });
    if (!parsed.ok) {
      // A problem with a patched value is the scenario's, at its line; any other is the file's.
      issues.push(
        ...parsed.issues.map((issue) =>
          issue.patched !== undefined
            ? { path: `${formatPath(at)}.${issue.path}`, message: issue.message, ...context.locate([...at, ...issue.patched]) }
            : { path: `${formatPath(field)}: ${issue.path}`, message: issue.message },
        ),
      );
      return undefined;
    }
    if (parsed.note !== undefined) service.notes.push({ path: formatPath(field), message: parsed.note });
    return simulatable(parsed.hpa, patched ? `${formatPath(at)} (${written}, patched): ` : `${formatPath(field)}: ${written}: `, issues);
  }
  const parsed = horizontalPodAutoscalerSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(...toInputIssues(issue, value, horizontalPodAutoscalerSchema, at, context.locate));
    return undefined;
  }
  const problems = service.check(parsed.data);
  for (const problem of problems) issues.push({ path: formatPath([...at, ...problem.path]), message: problem.message, ...context.locate([...at, ...problem.path]) });
  return problems.length === 0 ? simulatable(parsed.data, `${formatPath(at)}.`, issues) : undefined;
}

/** The manifest when the simulation can act on it; otherwise undefined and the reasons in `issues`. */
function simulatable(hpa: HorizontalPodAutoscalerManifest, prefix: string, issues: InputIssue[]): HorizontalPodAutoscalerManifest | undefined {
  const problems = hpaSimulationIssues(hpa);
  for (const problem of problems) issues.push({ path: prefix + problem.path, message: problem.message });
  return problems.length === 0 ? hpa : undefined;
}

interface HpaTarget {
  /** The service's name: the Deployment the HPA must scale. */
  target: string;
  check: (hpa: HorizontalPodAutoscalerManifest) => { path: readonly PropertyKey[]; message: string }[];
  notes: InputIssue[];
}

/**
 * zod's issue → lines naming the field, with the offending value when the message lacks it, and the
 * line it is on. An unknown field is one line per key, with the nearest allowed name when one is close.
 */
function toInputIssues(issue: z.core.$ZodIssue, raw: unknown, schema: z.ZodType, at: FieldPath, locate: Locate): InputIssue[] {
  const path = formatPath([...at, ...issue.path]);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(schema, issue.path);
    return issue.keys.map((key) => {
      const suggestion = nearest(key, allowed);
      return { path, message: `unknown field ${JSON.stringify(key)}${suggestion === undefined ? '' : ` — did you mean ${JSON.stringify(suggestion)}?`}`, ...locate([...at, ...issue.path, key]) };
    });
  }
  let message = issue.message
    .replace(/^Invalid input: /, '')
    .replace(/^Too (small|big): expected (\w+) to (?:be|have) ([<>]=?)(\S+)$/, (_m, _size, type, op, bound) => `expected ${type === 'number' ? 'a number' : type} ${({ '>=': '≥', '>': '>', '<=': '≤', '<': '<' } as Record<string, string>)[op]} ${bound}`);
  const value = valueAt(raw, issue.path);
  // YAML reads 1e999 and .inf as Infinity, which zod reports as a number of the wrong type.
  if (issue.code === 'invalid_type' && typeof value === 'number' && !Number.isFinite(value)) message = `expected a finite number, got ${value}`;
  else if (!/\bgot\b/.test(message)) {
    if (value !== undefined) message += `, got ${JSON.stringify(value)}`;
    else if (issue.code === 'invalid_type' && !message.startsWith('required')) message = message.replace(/, received undefined$/, '') + ' (missing)';
  }
  return [{ path, message: message.replace(/, received \w+(?=, got)/, ''), ...locate([...at, ...issue.path]) }];
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

async function loadTrace(file: string, format: 'timestamps' | 'counts', written: string, issues: InputIssue[]): Promise<LoadedTrace | undefined> {
  const { expandTraceToArrivals, passDurationMicros } = await import('./imports/trace.js');
  const { loadTraceFile } = await import('./imports/trace-load.js');
  const result = await loadTraceFile(file, format, written);
  if (result.ok) return { trace: result.trace, expand: expandTraceToArrivals, passDuration: passDurationMicros };
  issues.push(...result.issues);
  return undefined;
}

/** Replay options that do not fit the trace (a pass too big for memory, a start past its end), once per problem. */
async function replayIssues(base: Scenario, strategies: readonly StrategyScenario[], traces: LoadedTraces): Promise<InputIssue[]> {
  const { checkReplayOptions } = await import('./imports/trace.js');
  const check = (scenario: Scenario) => {
    const spec = scenario.traffic.trace;
    const loaded = spec && traces.get(spec.file);
    if (!spec || !loaded) return [];
    return checkReplayOptions(loaded.trace, { startOffsetMicros: spec.startOffset, speedup: spec.speedup, multiplier: spec.multiplier, jitterMicros: spec.jitter });
  };
  const issues = check(base);
  const seen = new Set(issues.map((i) => `${i.path}|${i.message}`));
  for (const { name, scenario } of strategies)
    for (const issue of check(scenario)) if (!seen.has(`${issue.path}|${issue.message}`)) issues.push({ path: `strategies.${name} → ${issue.path}`, message: issue.message });
  return issues;
}

function fail(path: string, message: string): Loaded<never> {
  return { ok: false, issues: [{ path, message }] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
