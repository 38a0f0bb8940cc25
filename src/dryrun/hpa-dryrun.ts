/**
 * HPA dry run: replay recorded metrics through the exact HPA policy and a small control loop.
 *
 * The loop, every `syncPeriodSeconds` from the first sample to the last (both included):
 * 1. The world at `now`: the simulated pods, and for each metric the latest recorded time at or
 *    before `now` (metrics-server semantics; older than `sampleStalenessSeconds` counts as absent).
 *    With `load: 'raw'` (default) the recorded values are replayed as they are: an averaged
 *    recording gives every Ready pod the average; a per-pod one gives the k-th Ready pod (in
 *    creation order) the k-th recorded pod that exists at that time (its first sample at or before
 *    it, its last at or after; recorded pods in order of first appearance). A recorded pod that
 *    exists but has no sample at that time, and a Ready pod beyond the recorded ones, get no
 *    metric: they are "missing", and the policy treats them as upstream does (100% of request on a
 *    scale-down, 0% on a scale-up, §5.3 of the HPA reference). With `load: 'constant'` the total
 *    recorded load stays as recorded and is spread evenly over the Ready pods, so each pod's value
 *    falls as the HPA adds pods: the total is the sum over the recorded pods at that time (a pod
 *    without a sample counted at the mean of the others), or the average × `recordedPods` for an
 *    averaged recording. A pod's sample carries the recorded time and a window of
 *    `metricWindowSeconds`, so the CPU initialization rules see fresh and stale samples.
 * 2. `computeHpaDecision` with the controller memory from the previous sync.
 * 3. The scale is applied at once. New pods are `Pending` (startTime = now) until
 *    `podStartupSeconds` have passed, then `Running` and `Ready` (lastTransitionTime = then).
 *    Removed pods disappear at once, not-ready first, then newest first (the ReplicaSet order).
 *
 * The initial pods started an hour before the first sync and are Ready. The controller starts
 * fresh (like after a restart) unless `initialState` is given, so the first-sight recommendation
 * holds scale-downs for one scale-down window — as a real restart does.
 */
import { computeHpaDecision, DEFAULT_METRICS } from '../policy/hpa/index.js';
import type {
  ExternalMetricSample,
  HorizontalPodAutoscaler,
  HpaControllerConfig,
  HpaControllerState,
  HpaDecision,
  HpaDecisionReason,
  HpaMetricsSnapshot,
  LabelSelector,
  ObjectMetricSample,
  Pod,
  PodResourceMetrics,
} from '../policy/hpa/index.js';
import type { CsvIssue, RecordedMetrics } from './recorded-metrics.js';

export interface HpaDryRunOptions {
  /** The HPA (e.g. from parseHpaManifest). */
  hpa: HorizontalPodAutoscaler;
  /** The recording (from parseRecordedMetricsCsv). */
  samples: RecordedMetrics;
  /** Replicas (and Ready pods) at the first sync (`--pods N`). */
  initialReplicas: number;
  /** Controller resync period [s], default 15. */
  syncPeriodSeconds?: number;
  /** Pod creation → Ready [s], default 0. */
  podStartupSeconds?: number;
  /** metrics-server sample window [s], default 15 (the usual --metric-resolution). */
  metricWindowSeconds?: number;
  /** A recorded value older than this is no longer served [s], default 300 (Prometheus' lookback). */
  sampleStalenessSeconds?: number;
  /**
   * `raw` (default): replay each pod's recorded value. `constant`: keep the recorded total and
   * spread it over the Ready pods (the what-if "same traffic, this HPA").
   */
  load?: 'raw' | 'constant';
  /** With `load: 'constant'` and an averaged recording: the pods the average was over; default `initialReplicas`. */
  recordedPods?: number;
  /** Each pod's CPU request [millicores], default 1000: turns cpu_utilization_pct into millicores. */
  podCpuRequestMillicores?: number;
  /** Each pod's memory request [bytes], default 1 GiB. */
  podMemoryRequestBytes?: number;
  /** First sync [s since the recording's start], default the first sample's time. */
  startSeconds?: number;
  /** Last sync no later than this [s], default the last sample's time. */
  endSeconds?: number;
  /** kube-controller-manager flags. */
  config?: HpaControllerConfig;
  /** Controller memory to start from; default a fresh controller. */
  initialState?: HpaControllerState;
}

/** One controller sync. Every sync is returned; `changed` marks the ones that rescaled. */
export interface HpaDryRunRow {
  /** Sync time [s since the recording's start]. */
  t_s: number;
  /** Replicas before the sync (scale spec.replicas). */
  from: number;
  /** Replicas after the sync. */
  to: number;
  /** to ≠ from. */
  changed: boolean;
  reason: HpaDecisionReason;
  message: string;
  /** Pods Ready at the sync. */
  readyPods: number;
  /** Everything the policy said (metrics, conditions, events, normalization). */
  decision: HpaDecision;
}

export type HpaDryRunResult = { ok: true; rows: HpaDryRunRow[] } | { ok: false; issues: CsvIssue[] };

// ---------------------------------------------------------------- metric → column bindings

/** How a resource column's value becomes the policy's amount: % of request, cores, or as is. */
type ResourceUnit = 'percent' | 'cores' | 'absolute';

type Binding =
  | { kind: 'resource'; resource: 'cpu' | 'memory'; column: string; unit: ResourceUnit }
  | { kind: 'pods'; metricName: string; column: string }
  | { kind: 'object'; metricName: string; describedObject: { kind: string; name: string }; column: string }
  | { kind: 'external'; metricName: string; selector?: LabelSelector; column: string };

/** Per resource, the columns that can feed it, in order of preference. */
const RESOURCE_COLUMNS: Record<'cpu' | 'memory', readonly (readonly [string, ResourceUnit])[]> = {
  cpu: [
    ['cpu_millicores', 'absolute'],
    ['cpu_cores', 'cores'],
    ['cpu_utilization_pct', 'percent'],
  ],
  memory: [
    ['memory_bytes', 'absolute'],
    ['memory_utilization_pct', 'percent'],
  ],
};

function bindMetrics(hpa: HorizontalPodAutoscaler, samples: RecordedMetrics): { ok: true; bindings: Binding[] } | { ok: false; issues: CsvIssue[] } {
  const columns = new Set(samples.metricColumns);
  const specs = hpa.spec.metrics !== undefined && hpa.spec.metrics.length > 0 ? hpa.spec.metrics : DEFAULT_METRICS;
  const bindings: Binding[] = [];
  const issues: CsvIssue[] = [];
  const missing = (index: number, what: string, wanted: string) =>
    issues.push({
      path: `${samples.fileName}: columns`,
      message: `no column for the HPA's spec.metrics[${index}] (${what}): expected ${wanted}; the columns are ${samples.metricColumns.join(', ')}`,
    });
  specs.forEach((spec, index) => {
    switch (spec.type) {
      case 'Resource':
      case 'ContainerResource': {
        const resource = spec.type === 'Resource' ? spec.resource.name : spec.containerResource.name;
        if (resource !== 'cpu' && resource !== 'memory') {
          issues.push({ path: `${samples.fileName}: columns`, message: `spec.metrics[${index}] uses resource ${JSON.stringify(resource)}; only cpu and memory can be replayed` });
          return;
        }
        if (bindings.some((b) => b.kind === 'resource' && b.resource === resource)) return;
        const found = RESOURCE_COLUMNS[resource].find(([column]) => columns.has(column));
        if (found) bindings.push({ kind: 'resource', resource, column: found[0], unit: found[1] });
        else missing(index, `${spec.type} ${resource}`, RESOURCE_COLUMNS[resource].map(([column]) => column).join(' or '));
        return;
      }
      case 'Pods': {
        const name = spec.pods.metric.name;
        if (columns.has(name)) bindings.push({ kind: 'pods', metricName: name, column: name });
        else missing(index, `Pods ${name}`, `a column named ${name}`);
        return;
      }
      case 'Object': {
        const name = spec.object.metric.name;
        if (columns.has(name)) bindings.push({ kind: 'object', metricName: name, describedObject: spec.object.describedObject, column: name });
        else missing(index, `Object ${name}`, `a column named ${name}`);
        return;
      }
      case 'External': {
        const name = spec.external.metric.name;
        if (columns.has(name)) bindings.push({ kind: 'external', metricName: name, ...(spec.external.metric.selector ? { selector: spec.external.metric.selector } : {}), column: name });
        else missing(index, `External ${name}`, `a column named ${name}`);
        return;
      }
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, bindings };
}

// ---------------------------------------------------------------- recorded values by column

/**
 * One column's recording: the distinct times it has values at, ascending, and either the
 * average at each (averaged recording) or each recorded pod's value at each (NaN: no sample),
 * with the span of times it exists for (its first and last sample).
 */
interface ColumnIndex {
  times: number[];
  average?: number[];
  pods?: { values: Float64Array; first: number; last: number }[];
}

function indexColumns(samples: RecordedMetrics): Map<string, ColumnIndex> {
  const index = new Map<string, ColumnIndex>();
  for (const column of samples.metricColumns) {
    const rows = samples.rows.filter((row) => row.values[column] !== undefined);
    const times: number[] = [];
    for (const row of rows) if (times[times.length - 1] !== row.t_s) times.push(row.t_s);
    if (!samples.perPod) {
      index.set(column, { times, average: rows.map((row) => row.values[column]) });
      continue;
    }
    const podOrder = new Map<string, number>();
    const pods: NonNullable<ColumnIndex['pods']> = [];
    let at = -1;
    let lastTime = NaN;
    for (const row of rows) {
      if (row.t_s !== lastTime) {
        at++;
        lastTime = row.t_s;
      }
      let k = podOrder.get(row.pod!);
      if (k === undefined) {
        k = pods.length;
        podOrder.set(row.pod!, k);
        pods.push({ values: new Float64Array(times.length).fill(NaN), first: at, last: at });
      }
      pods[k].values[at] = row.values[column];
      pods[k].last = at;
    }
    index.set(column, { times, pods });
  }
  return index;
}

/** Index of the last time at or before `now`, unless it is staler than the limit; -1 when none. */
function latestTime(times: readonly number[], now: number, stalenessSeconds: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= now) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found < 0 || now - times[found] > stalenessSeconds ? -1 : found;
}

/**
 * The values the Ready pods get at time index `at`: per Ready pod (undefined: missing), or for
 * object and external metrics the one recorded value (the mean over the recorded pods).
 */
function valuesAt(column: ColumnIndex, at: number, readyCount: number, load: 'raw' | 'constant', recordedPods: number): { perPod: (number | undefined)[]; mean: number } {
  if (column.average !== undefined) {
    const value = column.average[at];
    // An average over recordedPods pods: constant load spreads their total over the Ready ones.
    const each = load === 'constant' && readyCount > 0 ? (value * recordedPods) / readyCount : value;
    return { perPod: new Array<number>(readyCount).fill(each), mean: value };
  }
  const existing = column.pods!.filter((pod) => pod.first <= at && at <= pod.last).map((pod) => pod.values[at]);
  const present = existing.filter((v) => !Number.isNaN(v));
  const mean = present.reduce((sum, v) => sum + v, 0) / present.length;
  if (load === 'constant') {
    // A pod without a sample carried its share too: count it at the mean of the others.
    const each = readyCount > 0 ? (mean * existing.length) / readyCount : 0;
    return { perPod: new Array<number>(readyCount).fill(each), mean };
  }
  return { perPod: Array.from({ length: readyCount }, (_, k) => (k < existing.length && !Number.isNaN(existing[k]) ? existing[k] : undefined)), mean };
}

/** Removes float noise (142.3 × 10 = 1423.0000000000002) before the policy rounds up like MilliValue(). */
function snap(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

// ---------------------------------------------------------------- the loop

interface SimPod {
  name: string;
  createdAt: number;
  readyAt: number;
}

function validateOptions(options: HpaDryRunOptions): CsvIssue[] {
  const issues: CsvIssue[] = [];
  const check = (name: string, value: number | undefined, ok: (v: number) => boolean, expected: string) => {
    if (value !== undefined && !(Number.isFinite(value) && ok(value))) issues.push({ path: name, message: `expected ${expected}, got ${value}` });
  };
  check('initialReplicas', options.initialReplicas, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  check('syncPeriodSeconds', options.syncPeriodSeconds, (v) => v > 0, 'a number of seconds > 0');
  check('podStartupSeconds', options.podStartupSeconds, (v) => v >= 0, 'a number of seconds ≥ 0');
  check('metricWindowSeconds', options.metricWindowSeconds, (v) => v >= 0, 'a number of seconds ≥ 0');
  check('sampleStalenessSeconds', options.sampleStalenessSeconds, (v) => v >= 0, 'a number of seconds ≥ 0');
  check('podCpuRequestMillicores', options.podCpuRequestMillicores, (v) => v > 0, 'millicores > 0');
  check('podMemoryRequestBytes', options.podMemoryRequestBytes, (v) => v > 0, 'bytes > 0');
  check('recordedPods', options.recordedPods, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  return issues;
}

/** Replays `samples` through the HPA policy; returns one row per sync. Pure. */
export function runHpaDryRun(options: HpaDryRunOptions): HpaDryRunResult {
  const optionIssues = validateOptions(options);
  if (optionIssues.length > 0) return { ok: false, issues: optionIssues };
  const { hpa, samples } = options;
  if (samples.rows.length === 0) return { ok: false, issues: [{ path: samples.fileName, message: 'expected at least one recorded sample' }] };
  const bound = bindMetrics(hpa, samples);
  if (!bound.ok) return bound;

  const syncPeriodSeconds = options.syncPeriodSeconds ?? 15;
  const podStartupSeconds = options.podStartupSeconds ?? 0;
  const windowSeconds = options.metricWindowSeconds ?? 15;
  const stalenessSeconds = options.sampleStalenessSeconds ?? 300;
  const cpuRequest = options.podCpuRequestMillicores ?? 1000;
  const memoryRequest = options.podMemoryRequestBytes ?? 1024 ** 3;
  const load = options.load ?? 'raw';
  const recordedPods = options.recordedPods ?? Math.max(1, options.initialReplicas);
  const start = options.startSeconds ?? samples.rows[0].t_s;
  const end = options.endSeconds ?? samples.rows[samples.rows.length - 1].t_s;
  // ContainerResource metrics name a container; give the simulated pods that container.
  const containerName = hpa.spec.metrics?.find((m) => m.type === 'ContainerResource')?.containerResource.container ?? 'app';
  const columns = indexColumns(samples);

  let podCounter = 0;
  const newPod = (createdAt: number): SimPod => ({ name: `pod-${++podCounter}`, createdAt, readyAt: createdAt + podStartupSeconds });
  let pods: SimPod[] = Array.from({ length: options.initialReplicas }, () => newPod(start - 3600));
  let replicas = options.initialReplicas;
  let state = options.initialState;
  const rows: HpaDryRunRow[] = [];

  for (let step = 0; ; step++) {
    const now = start + step * syncPeriodSeconds; // multiply, don't accumulate: no drift
    if (now > end) break;
    const ready = pods.filter((p) => p.readyAt <= now);
    const podObjects: Pod[] = pods.map((p) => {
      const isReady = p.readyAt <= now;
      return {
        metadata: { name: p.name },
        status: {
          phase: isReady ? 'Running' : 'Pending',
          startTime: p.createdAt,
          conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False', lastTransitionTime: isReady ? p.readyAt : p.createdAt }],
        },
        containers: [{ name: containerName, resources: { requests: { cpu: cpuRequest, memory: memoryRequest } } }],
      };
    });

    const metrics = snapshotAt(now, ready, bound.bindings, columns, { stalenessSeconds, windowSeconds, cpuRequest, memoryRequest, containerName, load, recordedPods });
    const decision = computeHpaDecision({ hpa, currentReplicas: replicas, statusReplicas: pods.length, pods: podObjects, metrics, ...(state ? { state } : {}), now, ...(options.config ? { config: options.config } : {}) });
    rows.push({
      t_s: now,
      from: replicas,
      to: decision.desiredReplicas,
      changed: decision.desiredReplicas !== replicas,
      reason: decision.reason,
      message: decision.message,
      readyPods: ready.length,
      decision,
    });
    state = decision.nextState;

    if (decision.desiredReplicas > pods.length) {
      while (pods.length < decision.desiredReplicas) pods.push(newPod(now));
    } else if (decision.desiredReplicas < pods.length) {
      // ReplicaSet order: not-ready before ready, then newest first; ties by name, newest name first.
      const byDeletionOrder = [...pods].sort(
        (a, b) => Number(a.readyAt <= now) - Number(b.readyAt <= now) || b.createdAt - a.createdAt || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0),
      );
      const doomed = new Set(byDeletionOrder.slice(0, pods.length - decision.desiredReplicas).map((p) => p.name));
      pods = pods.filter((p) => !doomed.has(p.name));
    }
    replicas = decision.desiredReplicas;
  }
  return { ok: true, rows };
}

interface SnapshotSettings {
  stalenessSeconds: number;
  windowSeconds: number;
  cpuRequest: number;
  memoryRequest: number;
  containerName: string;
  load: 'raw' | 'constant';
  recordedPods: number;
}

/** A resource column's value → the policy's amount (millicores or bytes). */
function resourceAmount(value: number, unit: ResourceUnit, request: number): number {
  if (unit === 'percent') return (value * request) / 100;
  if (unit === 'cores') return value * 1000;
  return value;
}

/** What the metrics APIs would serve at `now`. */
function snapshotAt(now: number, ready: readonly SimPod[], bindings: readonly Binding[], columns: Map<string, ColumnIndex>, settings: SnapshotSettings): HpaMetricsSnapshot {
  const resource: Record<string, PodResourceMetrics> = {};
  const podsMetrics: Record<string, Record<string, number>> = {};
  const object: ObjectMetricSample[] = [];
  const external: ExternalMetricSample[] = [];

  for (const binding of bindings) {
    const column = columns.get(binding.column);
    const at = column === undefined ? -1 : latestTime(column.times, now, settings.stalenessSeconds);
    if (column === undefined || at < 0) continue;
    const sampledAt = column.times[at];
    const { perPod, mean } = valuesAt(column, at, ready.length, settings.load, settings.recordedPods);
    switch (binding.kind) {
      case 'resource': {
        const request = binding.resource === 'cpu' ? settings.cpuRequest : settings.memoryRequest;
        ready.forEach((pod, k) => {
          const recorded = perPod[k];
          if (recorded === undefined) return;
          const entry = (resource[pod.name] ??= { timestamp: sampledAt, windowSeconds: settings.windowSeconds, containers: { [settings.containerName]: {} } });
          // metrics-server stamps a pod with its earliest container sample.
          entry.timestamp = Math.min(entry.timestamp, sampledAt);
          (entry.containers[settings.containerName] as Record<string, number>)[binding.resource] = snap(resourceAmount(recorded, binding.unit, request));
        });
        break;
      }
      case 'pods': {
        const values: Record<string, number> = {};
        ready.forEach((pod, k) => {
          const recorded = perPod[k];
          if (recorded !== undefined) values[pod.name] = snap(recorded * 1000);
        });
        podsMetrics[binding.metricName] = values;
        break;
      }
      case 'object':
        object.push({ describedObject: binding.describedObject, metricName: binding.metricName, valueMilli: snap(mean * 1000) });
        break;
      case 'external':
        external.push({ metricName: binding.metricName, ...(binding.selector ? { selector: binding.selector } : {}), valuesMilli: [snap(mean * 1000)] });
        break;
    }
  }
  return { resource, pods: podsMetrics, object, external };
}
