/**
 * HPA dry run: replay recorded metrics through the exact HPA policy and a small control loop.
 *
 * The loop, every `syncPeriodSeconds` from the first sample to the last (both included):
 * 1. The world at `now`: the simulated pods, and for each metric the latest recorded value at or
 *    before `now` (metrics-server semantics; older than `sampleStalenessSeconds` counts as absent).
 *    An averaged CSV gives every Ready pod the average; a per-pod CSV gives the k-th Ready pod (in
 *    creation order) the k-th recorded pod's value at that time (recorded pods in order of first
 *    appearance), and Ready pods beyond the recording get nothing (→ "missing", as a pod
 *    metrics-server has not scraped yet). A pod's sample carries the recorded row's time and a
 *    window of `metricWindowSeconds`, so the CPU initialization rules see fresh and stale samples.
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

type Binding =
  | { kind: 'resource'; resource: 'cpu' | 'memory'; column: string; percent: boolean }
  | { kind: 'pods'; metricName: string; column: string }
  | { kind: 'object'; metricName: string; describedObject: { kind: string; name: string }; column: string }
  | { kind: 'external'; metricName: string; selector?: LabelSelector; column: string };

const RESOURCE_COLUMNS = {
  cpu: { absolute: 'cpu_millicores', percent: 'cpu_utilization_pct' },
  memory: { absolute: 'memory_bytes', percent: 'memory_utilization_pct' },
} as const;

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
        const names = RESOURCE_COLUMNS[resource];
        if (columns.has(names.absolute)) bindings.push({ kind: 'resource', resource, column: names.absolute, percent: false });
        else if (columns.has(names.percent)) bindings.push({ kind: 'resource', resource, column: names.percent, percent: true });
        else missing(index, `${spec.type} ${resource}`, `${names.percent} or ${names.absolute}`);
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

interface ColumnPoint {
  t_s: number;
  /** Recorded pods' values at t (per-pod CSV) or one average value (pod undefined). */
  values: { pod?: string; value: number }[];
}

/** Per column: the times it has values, ascending, with every value recorded at that time. */
function indexColumns(samples: RecordedMetrics): Map<string, ColumnPoint[]> {
  const podOrder = new Map<string, number>();
  for (const row of samples.rows) if (row.pod !== undefined && !podOrder.has(row.pod)) podOrder.set(row.pod, podOrder.size);
  const index = new Map<string, ColumnPoint[]>();
  for (const column of samples.metricColumns) {
    const points: ColumnPoint[] = [];
    for (const row of samples.rows) {
      const value = row.values[column];
      if (value === undefined) continue;
      const last = points[points.length - 1];
      if (last !== undefined && last.t_s === row.t_s) {
        // Averaged CSV: a later row at the same time overrides; per-pod: one more pod.
        if (samples.perPod) last.values.push({ pod: row.pod, value });
        else last.values = [{ value }];
      } else {
        points.push({ t_s: row.t_s, values: [{ ...(row.pod !== undefined ? { pod: row.pod } : {}), value }] });
      }
    }
    for (const point of points) point.values.sort((a, b) => (podOrder.get(a.pod ?? '') ?? 0) - (podOrder.get(b.pod ?? '') ?? 0));
    index.set(column, points);
  }
  return index;
}

/** The last point at or before `now`, unless it is staler than the limit. */
function latestPoint(points: readonly ColumnPoint[], now: number, stalenessSeconds: number): ColumnPoint | undefined {
  let lo = 0;
  let hi = points.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].t_s <= now) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0 || now - points[found].t_s > stalenessSeconds) return undefined;
  return points[found];
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

    const metrics = snapshotAt(now, ready, bound.bindings, columns, { stalenessSeconds, windowSeconds, cpuRequest, memoryRequest, containerName });
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
}

/** What the metrics APIs would serve at `now`. */
function snapshotAt(now: number, ready: readonly SimPod[], bindings: readonly Binding[], columns: Map<string, ColumnPoint[]>, settings: SnapshotSettings): HpaMetricsSnapshot {
  /** Value for the k-th ready pod: the average for an averaged CSV, else the k-th recorded pod. */
  const perPodValue = (point: ColumnPoint, k: number): number | undefined => (point.values[0].pod === undefined ? point.values[0].value : point.values[k]?.value);
  const meanValue = (point: ColumnPoint): number => point.values.reduce((sum, v) => sum + v.value, 0) / point.values.length;

  const resource: Record<string, PodResourceMetrics> = {};
  const podsMetrics: Record<string, Record<string, number>> = {};
  const object: ObjectMetricSample[] = [];
  const external: ExternalMetricSample[] = [];

  for (const binding of bindings) {
    const point = latestPoint(columns.get(binding.column) ?? [], now, settings.stalenessSeconds);
    if (point === undefined) continue;
    switch (binding.kind) {
      case 'resource': {
        const request = binding.resource === 'cpu' ? settings.cpuRequest : settings.memoryRequest;
        ready.forEach((pod, k) => {
          const recorded = perPodValue(point, k);
          if (recorded === undefined) return;
          const amount = snap(binding.percent ? (recorded * request) / 100 : recorded);
          const entry = (resource[pod.name] ??= { timestamp: point.t_s, windowSeconds: settings.windowSeconds, containers: { [settings.containerName]: {} } });
          // metrics-server stamps a pod with its earliest container sample.
          entry.timestamp = Math.min(entry.timestamp, point.t_s);
          (entry.containers[settings.containerName] as Record<string, number>)[binding.resource] = amount;
        });
        break;
      }
      case 'pods': {
        const values: Record<string, number> = {};
        ready.forEach((pod, k) => {
          const recorded = perPodValue(point, k);
          if (recorded !== undefined) values[pod.name] = snap(recorded * 1000);
        });
        podsMetrics[binding.metricName] = values;
        break;
      }
      case 'object':
        object.push({ describedObject: binding.describedObject, metricName: binding.metricName, valueMilli: snap(meanValue(point) * 1000) });
        break;
      case 'external':
        external.push({ metricName: binding.metricName, ...(binding.selector ? { selector: binding.selector } : {}), valuesMilli: [snap(meanValue(point) * 1000)] });
        break;
    }
  }
  return { resource, pods: podsMetrics, object, external };
}
