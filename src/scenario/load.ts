import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import type { ParsedTrace } from './imports/trace.js';
import { formatPath, type InputIssue, type Loaded } from './issues.js';
import { applyMergePatch } from './merge-patch.js';
import { horizontalPodAutoscalerSchema, parseHpaManifest, type HorizontalPodAutoscalerManifest } from './hpa-manifest.js';
import { hpaSimulationIssues } from './hpa-checks.js';
import { unroutedServiceIssues } from './routes.js';
import { periodIssues } from './estimate.js';
import { scenarioSchema, type Scenario } from './schema.js';
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
}

export interface LoadOverrides {
  /** Replace `seed`. */
  seed?: number | string;
  /** Replace `duration` (already in µs). */
  durationMicros?: number;
}

/** Reads, validates and resolves a scenario file (JSON or YAML), reporting every problem. */
export async function loadScenarioFile(path: string, overrides: LoadOverrides = {}): Promise<Loaded<LoadedScenario>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return fail(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const parsed = parseDocument(text, path);
  if (!parsed.ok) return parsed;
  return resolveScenario(parsed.value, path, overrides);
}

/** Validates an already-parsed scenario document; `path` locates relative files. */
export async function resolveScenario(document: unknown, path: string, overrides: LoadOverrides = {}): Promise<Loaded<LoadedScenario>> {
  if (!isObject(document)) return fail('', 'expected the scenario to be an object (a JSON object or a YAML mapping)');
  const { strategies: patches, ...baseRaw } = document;
  const issues: InputIssue[] = [];
  const directory = dirname(path);
  const base = validate(baseRaw, '', issues, directory);
  if (patches !== undefined && !isObject(patches)) issues.push({ path: 'strategies', message: 'expected a mapping of strategy name → merge patch' });

  const strategies: StrategyScenario[] = [];
  const entries = isObject(patches) ? Object.entries(patches) : [];
  if (isObject(patches) && entries.length === 0) issues.push({ path: 'strategies', message: 'expected at least one strategy (or leave `strategies` out)' });
  const baseProblems = new Set(issues.map((i) => `${i.path}|${i.message}`));
  for (const [name, patch] of entries) {
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) issues.push({ path: `strategies.${name}`, message: 'expected a strategy name of letters, digits, ".", "_" or "-"' });
    if (!isObject(patch)) {
      issues.push({ path: `strategies.${name}`, message: `expected a merge patch object, got ${JSON.stringify(patch)}` });
      continue;
    }
    if ('strategies' in patch) issues.push({ path: `strategies.${name}.strategies`, message: 'a strategy cannot define strategies' });
    const strategyIssues: InputIssue[] = [];
    const scenario = validate(applyMergePatch(baseRaw, patch), '', strategyIssues, directory);
    // Problems already reported for the base are not repeated for every strategy.
    for (const issue of strategyIssues)
      if (!baseProblems.has(`${issue.path}|${issue.message}`)) issues.push({ path: `strategies.${name} → ${issue.path}`, message: issue.message });
    if (scenario) strategies.push({ name, scenario: applyOverrides(scenario, overrides) });
  }

  if (base) {
    const runs = entries.length > 0 ? strategies : [{ name: 'baseline', scenario: applyOverrides(base, overrides) }];
    issues.push(...inEveryRun(runs, unroutedServiceIssues), ...inEveryRun(runs, periodIssues));
  }

  const traces = new Map<string, LoadedTrace>();
  if (base) {
    const all = [base, ...strategies.map((s) => s.scenario)];
    for (const scenario of all) {
      const spec = scenario.traffic.trace;
      if (!spec || traces.has(spec.file)) continue;
      const trace = await loadTrace(resolve(dirname(path), spec.file), spec.format, spec.file, issues);
      if (trace) traces.set(spec.file, trace);
    }
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

function validate(raw: unknown, prefix: string, issues: InputIssue[], directory: string): Scenario | undefined {
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) issues.push(toInputIssue(issue, raw, prefix));
    return undefined;
  }
  const before = issues.length;
  for (const [name, service] of Object.entries(result.data.services)) {
    if (service.hpa === undefined || service.hpa === null) {
      service.hpa = undefined;
      continue;
    }
    service.hpa = resolveHpa(service.hpa, `${prefix}services.${name}.hpa`, directory, issues);
  }
  checkPrices(result.data, prefix, issues);
  return issues.length === before ? result.data : undefined;
}

/** Price overrides are well-formed and every price the run will charge exists. */
function checkPrices(scenario: Scenario, prefix: string, issues: InputIssue[]): void {
  const catalog = withOverrides(defaultPriceCatalog, scenario.cost.prices, `${prefix}cost.prices`);
  if (!catalog.ok) {
    issues.push(...catalog.errors);
    return;
  }
  const { controlPlane } = scenario.cost;
  if (controlPlane !== 'none') {
    const found = lookupPrice(catalog.catalog, controlPlane, `${prefix}cost.controlPlane`);
    if (!found.ok) issues.push(found.error);
  }
}

/** An HPA written inline (autoscaling/v2 as pasted) or in a manifest file, validated like the rest. */
function resolveHpa(value: unknown, path: string, directory: string, issues: InputIssue[]): unknown {
  if (isObject(value) && 'file' in value) {
    if (typeof value.file !== 'string' || Object.keys(value).length !== 1) {
      issues.push({ path, message: 'expected { file: "<manifest.yaml>" } or an autoscaling/v2 HorizontalPodAutoscaler' });
      return undefined;
    }
    let text: string;
    try {
      text = readFileSync(resolve(directory, value.file), 'utf8');
    } catch (error) {
      issues.push({ path: `${path}.file`, message: `cannot read ${JSON.stringify(value.file)} (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
      return undefined;
    }
    const parsed = parseHpaManifest(text, value.file);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      return undefined;
    }
    return simulatable(parsed.hpa, `${value.file}: `, issues);
  }
  const parsed = horizontalPodAutoscalerSchema.safeParse(value);
  if (parsed.success) return simulatable(parsed.data, `${path}.`, issues);
  for (const issue of parsed.error.issues) issues.push(toInputIssue(issue, value, `${path}.`));
  return undefined;
}

/** The manifest when the simulation can act on it; otherwise undefined and the reasons in `issues`. */
function simulatable(hpa: HorizontalPodAutoscalerManifest, prefix: string, issues: InputIssue[]): HorizontalPodAutoscalerManifest | undefined {
  const problems = hpaSimulationIssues(hpa);
  for (const problem of problems) issues.push({ path: prefix + problem.path, message: problem.message });
  return problems.length === 0 ? hpa : undefined;
}

/** zod's issue → one line naming the field, with the offending value when the message lacks it. */
function toInputIssue(issue: z.core.$ZodIssue, raw: unknown, prefix: string): InputIssue {
  const path = prefix + formatPath(issue.path) || prefix.replace(/\.$/, '');
  let message = issue.message
    .replace(/^Invalid input: /, '')
    .replace(/^Too (small|big): expected (\w+) to (?:be|have) ([<>]=?)(\S+)$/, (_m, _size, type, op, bound) => `expected ${type === 'number' ? 'a number' : type} ${({ '>=': '≥', '>': '>', '<=': '≤', '<': '<' } as Record<string, string>)[op]} ${bound}`);
  const value = valueAt(raw, issue.path);
  if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  // YAML reads 1e999 and .inf as Infinity, which zod reports as a number of the wrong type.
  else if (issue.code === 'invalid_type' && typeof value === 'number' && !Number.isFinite(value)) message = `expected a finite number, got ${value}`;
  else if (!/\bgot\b/.test(message)) {
    if (value !== undefined) message += `, got ${JSON.stringify(value)}`;
    else if (issue.code === 'invalid_type') message = message.replace(/, received undefined$/, '') + ' (missing)';
  }
  return { path, message: message.replace(/, received \w+(?=, got)/, '') };
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function parseDocument(text: string, path: string): Loaded<unknown> {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (error) {
      return fail(path, `not valid JSON: ${(error as Error).message}`);
    }
  }
  const document = YAML.parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0)
    return { ok: false, issues: document.errors.map((e) => ({ path, message: `not valid YAML: ${e.message.split('\n')[0]}` })) };
  return { ok: true, value: document.toJS() };
}

async function loadTrace(file: string, format: 'timestamps' | 'counts', written: string, issues: InputIssue[]): Promise<LoadedTrace | undefined> {
  const { parseCountsTrace, parseTimestampTrace, expandTraceToArrivals, passDurationMicros } = await import('./imports/trace.js');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    issues.push({ path: 'traffic.trace.file', message: `cannot read ${JSON.stringify(written)} (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    return undefined;
  }
  const result = await (format === 'timestamps' ? parseTimestampTrace(text, written) : parseCountsTrace(text, written));
  if (result.ok) return { trace: result.trace, expand: expandTraceToArrivals, passDuration: passDurationMicros };
  issues.push(...result.issues);
  return undefined;
}

function fail(path: string, message: string): Loaded<never> {
  return { ok: false, issues: [{ path, message }] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
