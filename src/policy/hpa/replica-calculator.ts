/**
 * The replica calculator: one metric → one replica proposal, as upstream
 * `pkg/controller/podautoscaler/replica_calculator.go` and `metrics/utilization.go`.
 *
 * All quantities are integer milli-units here (cpu millicores, memory milli-bytes, custom
 * metrics milli-units), and sums/divisions use BigInt so that the truncating integer
 * arithmetic matches Go's int64 exactly. Ratios and `ceil` are float64, as upstream.
 */
import type { ExternalMetricSample, HpaMetricsSnapshot, LabelSelector, Pod, PodReadyCondition, Seconds } from './types.js';

export const MAX_INT32 = 2147483647;
export const MIN_INT32 = -2147483648;

/** Scale-up and scale-down tolerances (KEP-4951); both 0.1 by default. */
export interface Tolerances {
  scaleUp: number;
  scaleDown: number;
}

/** v1.33+: within when (1 − down) ≤ r ≤ (1 + up), both ends inclusive. */
export function isWithinTolerance(tolerances: Tolerances, usageRatio: number): boolean {
  return 1.0 - tolerances.scaleDown <= usageRatio && usageRatio <= 1.0 + tolerances.scaleUp;
}

/** What every calculation may read: the pod list, the clock and the controller flags. */
export interface CalculatorContext {
  pods: readonly Pod[];
  now: Seconds;
  tolerances: Tolerances;
  cpuInitializationPeriodSeconds: number;
  delayOfInitialReadinessStatusSeconds: number;
}

/** One pod's metric, as upstream `PodMetric`. */
interface PodMetric {
  valueMilli: number;
  timestamp: Seconds;
  windowSeconds: Seconds;
}
/** pod name → metric (insertion-ordered, so iteration is deterministic). */
type PodMetricsInfo = Map<string, PodMetric>;

export type CalcResult<T> = ({ ok: true } & T) | { ok: false; message: string };

export interface PodCounts {
  ready: number;
  unready: number;
  missing: number;
  ignored: number;
}

// ---------------------------------------------------------------- units

/** A resource amount in its natural unit (cpu millicores, else base units) → milli-units, rounded up like MilliValue(). */
export function resourceToMilli(resource: string, amount: number): number {
  if (resource === 'cpu') return Math.ceil(amount);
  const milli = amount * 1000;
  // Whole bytes ×1000 are exact; otherwise drop float noise (0.1 × 1000 = 100.00000000000001) before rounding up.
  return Number.isInteger(milli) ? milli : Math.ceil(Math.round(milli * 1e6) / 1e6);
}

/** Milli-units → the resource's natural unit (for reporting). */
export function milliToResource(resource: string, milli: number): number {
  return resource === 'cpu' ? milli : milli / 1000;
}

function toBig(value: number): bigint {
  return BigInt(Math.ceil(value));
}

// ---------------------------------------------------------------- metrics clients

/**
 * metrics.k8s.io for one resource (upstream `GetResourceMetric`): a pod's value is the sum over its
 * containers; a pod with no containers, or with a container lacking the resource, is left out. With
 * `container` set only that container counts, and a pod without it is left out (→ missing, since #127193).
 */
export function getResourceMetric(snapshot: HpaMetricsSnapshot, resource: string, container: string | undefined): CalcResult<{ metrics: PodMetricsInfo }> {
  const raw = snapshot.resource;
  if (raw === undefined || Object.keys(raw).length === 0) return { ok: false, message: 'no metrics returned from resource metrics API' };
  const metrics: PodMetricsInfo = new Map();
  for (const [podName, sample] of Object.entries(raw)) {
    let valueMilli = 0;
    if (container !== undefined) {
      const amount = sample.containers[container]?.[resource];
      if (amount === undefined || !Number.isFinite(amount)) continue;
      valueMilli = resourceToMilli(resource, amount);
    } else {
      const containers = Object.values(sample.containers);
      if (containers.length === 0) continue;
      let complete = true;
      for (const usage of containers) {
        const amount = usage[resource];
        if (amount === undefined || !Number.isFinite(amount)) {
          complete = false;
          break;
        }
        valueMilli += resourceToMilli(resource, amount);
      }
      if (!complete) continue;
    }
    metrics.set(podName, { valueMilli, timestamp: sample.timestamp, windowSeconds: sample.windowSeconds });
  }
  return { ok: true, metrics };
}

/** custom.metrics.k8s.io per-pod values (upstream `GetRawMetric`); custom metrics use a 60 s window. */
function getRawMetric(snapshot: HpaMetricsSnapshot, metricName: string, now: Seconds): CalcResult<{ metrics: PodMetricsInfo }> {
  const raw = snapshot.pods?.[metricName];
  if (raw === undefined || Object.keys(raw).length === 0) return { ok: false, message: 'no metrics returned from custom metrics API' };
  const metrics: PodMetricsInfo = new Map();
  for (const [podName, value] of Object.entries(raw)) {
    if (Number.isFinite(value)) metrics.set(podName, { valueMilli: Math.ceil(value), timestamp: now, windowSeconds: 60 });
  }
  return { ok: true, metrics };
}

function selectorKey(selector: LabelSelector | undefined): string {
  if (selector === undefined) return '';
  const labels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([labels, selector.matchExpressions ?? []]);
}

/** external.metrics.k8s.io: the sum of every returned series (upstream `GetExternalMetric` + the summing loop). */
function getExternalMetricSum(snapshot: HpaMetricsSnapshot, metricName: string, selector: LabelSelector | undefined): CalcResult<{ usageMilli: number }> {
  const wanted = selectorKey(selector);
  const sample: ExternalMetricSample | undefined = snapshot.external?.find(
    (s) => s.metricName === metricName && (s.selector === undefined || selectorKey(s.selector) === wanted),
  );
  if (sample === undefined || sample.valuesMilli.length === 0 || !sample.valuesMilli.every(Number.isFinite)) {
    return { ok: false, message: `unable to get external metric ${metricName}: no metrics returned from external metrics API` };
  }
  let usage = 0n;
  for (const value of sample.valuesMilli) usage += toBig(value);
  return { ok: true, usageMilli: Number(usage) };
}

function getObjectMetric(snapshot: HpaMetricsSnapshot, metricName: string, kind: string, name: string): CalcResult<{ usageMilli: number }> {
  const sample = snapshot.object?.find((s) => s.metricName === metricName && s.describedObject.kind === kind && s.describedObject.name === name);
  if (sample === undefined || !Number.isFinite(sample.valueMilli)) {
    return { ok: false, message: `unable to get metric ${metricName} on ${kind} ${name}: no value returned from custom metrics API` };
  }
  return { ok: true, usageMilli: Math.ceil(sample.valueMilli) };
}

// ---------------------------------------------------------------- pod grouping and requests

function readyCondition(pod: Pod): PodReadyCondition | undefined {
  return pod.status.conditions?.find((c) => c.type === 'Ready');
}

/**
 * Upstream `groupPods`: the first matching rule wins — terminating or Failed → ignored; Pending →
 * unready; no metric → missing; and, for cpu only, the initialization-period and readiness rules.
 */
export function groupPods(
  pods: readonly Pod[],
  metrics: PodMetricsInfo,
  resource: string,
  cpuInitializationPeriodSeconds: number,
  delayOfInitialReadinessStatusSeconds: number,
  now: Seconds,
): { readyPodCount: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> } {
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  let readyPodCount = 0;
  for (const pod of pods) {
    const name = pod.metadata.name;
    if (pod.deletionTimestamp !== undefined || pod.status.phase === 'Failed') {
      ignored.add(name);
      continue;
    }
    if (pod.status.phase === 'Pending') {
      unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (metric === undefined) {
      missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const condition = readyCondition(pod);
      const startTime = pod.status.startTime;
      let isUnready: boolean;
      if (condition === undefined || startTime === undefined) {
        isUnready = true;
      } else if (startTime + cpuInitializationPeriodSeconds > now) {
        // Young pod: needs Ready and a sample whose window began at or after the last Ready transition.
        isUnready = condition.status === 'False' || metric.timestamp < condition.lastTransitionTime + metric.windowSeconds;
      } else {
        // Old pod: excluded only if NotReady and it never became ready within the delay after start.
        isUnready = condition.status === 'False' && startTime + delayOfInitialReadinessStatusSeconds > condition.lastTransitionTime;
      }
      if (isUnready) {
        unready.add(name);
        continue;
      }
    }
    readyPodCount++;
  }
  return { readyPodCount, unready, missing, ignored };
}

/** Upstream `calculateRequests` (containers + sidecar init containers, or one named container), for every listed pod. */
export function calculateRequests(pods: readonly Pod[], container: string | undefined, resource: string): CalcResult<{ requests: Map<string, number> }> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const containers = [...pod.containers, ...(pod.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    let request = 0;
    let found = false;
    for (const c of containers) {
      if (container === undefined || container === c.name) {
        const amount = c.resources?.requests?.[resource];
        if (amount === undefined || !Number.isFinite(amount)) return { ok: false, message: `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}` };
        request += resourceToMilli(resource, amount);
      }
      if (container === c.name) {
        found = true;
        break;
      }
    }
    if (container !== undefined && !found) return { ok: false, message: `container ${container} not found in Pod ${pod.metadata.name}` };
    requests.set(pod.metadata.name, request);
  }
  return { ok: true, requests };
}

// ---------------------------------------------------------------- ratios (metrics/utilization.go)

/** util := (Σ metrics × 100) // Σ requests over pods with a request; raw := Σ metrics // count. */
export function getResourceUtilizationRatio(
  metrics: PodMetricsInfo,
  requests: Map<string, number>,
  targetUtilization: number,
): CalcResult<{ usageRatio: number; utilization: number; rawAverageMilli: number }> {
  let metricsTotal = 0n;
  let requestsTotal = 0n;
  let entries = 0n;
  for (const [podName, metric] of metrics) {
    const request = requests.get(podName);
    if (request === undefined) continue; // a metric for a pod we don't list: extraneous
    metricsTotal += toBig(metric.valueMilli);
    requestsTotal += toBig(request);
    entries++;
  }
  if (requestsTotal === 0n) return { ok: false, message: 'no metrics returned matched known pods' };
  const utilization = Number((metricsTotal * 100n) / requestsTotal);
  return { ok: true, usageRatio: utilization / targetUtilization, utilization, rawAverageMilli: Number(metricsTotal / entries) };
}

/** usage := Σ metrics // count (integer milli average); ratio := usage / target. */
export function getMetricUsageRatio(metrics: PodMetricsInfo, targetUsageMilli: number): { usageRatio: number; usageMilli: number } {
  let total = 0n;
  for (const metric of metrics.values()) total += toBig(metric.valueMilli);
  const usageMilli = Number(total / BigInt(metrics.size));
  return { usageRatio: usageMilli / targetUsageMilli, usageMilli };
}

function removeMetricsForPods(metrics: PodMetricsInfo, pods: Set<string>): void {
  for (const pod of pods) metrics.delete(pod);
}

/** The "return current" guards after filling in missing/unready pods: within tolerance, or the direction would flip. */
function keepsDirection(tolerances: Tolerances, usageRatio: number, newUsageRatio: number): boolean {
  return !(isWithinTolerance(tolerances, newUsageRatio) || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0));
}

// ---------------------------------------------------------------- per-pod calculators

export interface ResourceReplicas {
  replicas: number;
  utilization: number;
  rawAverageMilli: number;
  podCounts: PodCounts;
}

/** Upstream `GetResourceReplicas`: a Resource/ContainerResource `averageUtilization` target. */
export function getResourceReplicas(
  ctx: CalculatorContext,
  snapshot: HpaMetricsSnapshot,
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  container: string | undefined,
): CalcResult<ResourceReplicas> {
  const fetched = getResourceMetric(snapshot, resource, container);
  if (!fetched.ok) return { ok: false, message: `unable to get metrics for resource ${resource}: ${fetched.message}` };
  const metrics = fetched.metrics;
  if (ctx.pods.length === 0) return { ok: false, message: 'no pods returned by selector while calculating replica count' };

  const groups = groupPods(ctx.pods, metrics, resource, ctx.cpuInitializationPeriodSeconds, ctx.delayOfInitialReadinessStatusSeconds, ctx.now);
  const podCounts = { ready: groups.readyPodCount, unready: groups.unready.size, missing: groups.missing.size, ignored: groups.ignored.size };
  removeMetricsForPods(metrics, groups.ignored);
  removeMetricsForPods(metrics, groups.unready);
  if (metrics.size === 0) return { ok: false, message: 'did not receive metrics for targeted pods (pods might be unready)' };

  const requested = calculateRequests(ctx.pods, container, resource);
  if (!requested.ok) return requested;
  const requests = requested.requests;

  const first = getResourceUtilizationRatio(metrics, requests, targetUtilization);
  if (!first.ok) return first;
  const { usageRatio, utilization, rawAverageMilli } = first;
  const done = (replicas: number): CalcResult<ResourceReplicas> => ({ ok: true, replicas, utilization, rawAverageMilli, podCounts });

  const scaleUpWithUnready = groups.unready.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (isWithinTolerance(ctx.tolerances, usageRatio)) return done(currentReplicas);
    // No unready or missing pods: the base is the ready pod count, not currentReplicas.
    return done(Math.ceil(usageRatio * groups.readyPodCount));
  }

  if (groups.missing.size > 0) {
    if (usageRatio < 1.0) {
      // On a scale-down, treat missing pods as using 100% of their request (or the target, if above 100%).
      const fallbackUtilization = BigInt(Math.max(100, targetUtilization));
      for (const podName of groups.missing) {
        const request = requests.get(podName) ?? 0;
        metrics.set(podName, { valueMilli: Number((toBig(request) * fallbackUtilization) / 100n), timestamp: ctx.now, windowSeconds: 0 });
      }
    } else if (usageRatio > 1.0) {
      // On a scale-up, treat missing pods as using 0%.
      for (const podName of groups.missing) metrics.set(podName, { valueMilli: 0, timestamp: ctx.now, windowSeconds: 0 });
    }
  }
  if (scaleUpWithUnready) {
    // On a scale-up, treat unready pods as using 0%.
    for (const podName of groups.unready) metrics.set(podName, { valueMilli: 0, timestamp: ctx.now, windowSeconds: 0 });
  }

  const second = getResourceUtilizationRatio(metrics, requests, targetUtilization);
  if (!second.ok) return second;
  const newUsageRatio = second.usageRatio;
  if (!keepsDirection(ctx.tolerances, usageRatio, newUsageRatio)) return done(currentReplicas);

  // |metrics| counts every filled pod (and any extraneous metric without a request).
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) return done(currentReplicas);
  return done(newReplicas);
}

export interface PlainReplicas {
  replicas: number;
  usageMilli: number;
  podCounts: PodCounts;
}

/**
 * Upstream `calcPlainMetricReplicas`: an AverageValue target over per-pod metrics. `resource` is the
 * grouping key: "cpu" gets the CPU readiness rules, "" (custom Pods metrics) and memory do not.
 */
function calcPlainMetricReplicas(ctx: CalculatorContext, metrics: PodMetricsInfo, currentReplicas: number, targetUsageMilli: number, resource: string): CalcResult<PlainReplicas> {
  if (ctx.pods.length === 0) return { ok: false, message: 'no pods returned by selector while calculating replica count' };
  const groups = groupPods(ctx.pods, metrics, resource, ctx.cpuInitializationPeriodSeconds, ctx.delayOfInitialReadinessStatusSeconds, ctx.now);
  const podCounts = { ready: groups.readyPodCount, unready: groups.unready.size, missing: groups.missing.size, ignored: groups.ignored.size };
  removeMetricsForPods(metrics, groups.ignored);
  removeMetricsForPods(metrics, groups.unready);
  if (metrics.size === 0) return { ok: false, message: 'did not receive metrics for targeted pods (pods might be unready)' };

  const { usageRatio, usageMilli } = getMetricUsageRatio(metrics, targetUsageMilli);
  const done = (replicas: number): CalcResult<PlainReplicas> => ({ ok: true, replicas, usageMilli, podCounts });

  const scaleUpWithUnready = groups.unready.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (isWithinTolerance(ctx.tolerances, usageRatio)) return done(currentReplicas);
    return done(Math.ceil(usageRatio * groups.readyPodCount));
  }

  if (groups.missing.size > 0) {
    // Scale-down: a missing pod uses exactly the target; scale-up: 0.
    const fill = usageRatio < 1.0 ? Math.ceil(targetUsageMilli) : usageRatio > 1.0 ? 0 : undefined;
    if (fill !== undefined) for (const podName of groups.missing) metrics.set(podName, { valueMilli: fill, timestamp: ctx.now, windowSeconds: 0 });
  }
  if (scaleUpWithUnready) {
    for (const podName of groups.unready) metrics.set(podName, { valueMilli: 0, timestamp: ctx.now, windowSeconds: 0 });
  }

  const newUsageRatio = getMetricUsageRatio(metrics, targetUsageMilli).usageRatio;
  if (!keepsDirection(ctx.tolerances, usageRatio, newUsageRatio)) return done(currentReplicas);
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) return done(currentReplicas);
  return done(newReplicas);
}

/** Upstream `GetRawResourceReplicas`: Resource/ContainerResource `averageValue` (target already in milli-units). */
export function getRawResourceReplicas(
  ctx: CalculatorContext,
  snapshot: HpaMetricsSnapshot,
  currentReplicas: number,
  targetUsageMilli: number,
  resource: string,
  container: string | undefined,
): CalcResult<PlainReplicas> {
  const fetched = getResourceMetric(snapshot, resource, container);
  if (!fetched.ok) return { ok: false, message: `unable to get metrics for resource ${resource}: ${fetched.message}` };
  return calcPlainMetricReplicas(ctx, fetched.metrics, currentReplicas, targetUsageMilli, resource);
}

/** Upstream `GetMetricReplicas`: a Pods metric with an `averageValue` target [milli-units]. */
export function getMetricReplicas(ctx: CalculatorContext, snapshot: HpaMetricsSnapshot, currentReplicas: number, targetUsageMilli: number, metricName: string): CalcResult<PlainReplicas> {
  const fetched = getRawMetric(snapshot, metricName, ctx.now);
  if (!fetched.ok) return { ok: false, message: `unable to get metric ${metricName}: ${fetched.message}` };
  return calcPlainMetricReplicas(ctx, fetched.metrics, currentReplicas, targetUsageMilli, '');
}

// ---------------------------------------------------------------- object and external

/** Pods that are Running with Ready=True (terminating ones included), as upstream `getReadyPodsCount`. */
function getReadyPodsCount(pods: readonly Pod[]): CalcResult<{ ready: number }> {
  if (pods.length === 0) return { ok: false, message: 'no pods returned by selector while calculating replica count' };
  let ready = 0;
  for (const pod of pods) if (pod.status.phase === 'Running' && readyCondition(pod)?.status === 'True') ready++;
  return { ok: true, ready };
}

/**
 * Upstream `getUsageRatioReplicaCount`: with current ≠ 0, tolerance then ceil(r × ready pods);
 * with current = 0 (scale from zero), ceil(r) with no tolerance.
 */
function getUsageRatioReplicaCount(ctx: CalculatorContext, currentReplicas: number, usageRatio: number): CalcResult<{ replicas: number }> {
  if (currentReplicas === 0) return { ok: true, replicas: Math.ceil(usageRatio) };
  if (isWithinTolerance(ctx.tolerances, usageRatio)) return { ok: true, replicas: currentReplicas };
  const ready = getReadyPodsCount(ctx.pods);
  if (!ready.ok) return { ok: false, message: `unable to calculate ready pods: ${ready.message}` };
  const replicas = usageRatio * ready.ready;
  return { ok: true, replicas: replicas > MAX_INT32 ? MAX_INT32 : Math.ceil(replicas) };
}

export interface ValueReplicas {
  replicas: number;
  usageMilli: number;
}

/** Upstream `GetObjectMetricReplicas`: Object with a `value` target. */
export function getObjectMetricReplicas(
  ctx: CalculatorContext,
  snapshot: HpaMetricsSnapshot,
  currentReplicas: number,
  targetMilli: number,
  metricName: string,
  object: { kind: string; name: string },
): CalcResult<ValueReplicas> {
  const fetched = getObjectMetric(snapshot, metricName, object.kind, object.name);
  if (!fetched.ok) return fetched;
  const counted = getUsageRatioReplicaCount(ctx, currentReplicas, fetched.usageMilli / targetMilli);
  if (!counted.ok) return counted;
  return { ok: true, replicas: counted.replicas, usageMilli: fetched.usageMilli };
}

/** Object/External `averageValue`: proposal from the total, base is status.replicas; readiness is not considered. */
function perPodReplicas(ctx: CalculatorContext, statusReplicas: number, usageMilli: number, targetPerPodMilli: number): { replicas: number; averageMilli: number | undefined } {
  let replicas = statusReplicas;
  const usageRatio = usageMilli / (targetPerPodMilli * statusReplicas);
  if (!isWithinTolerance(ctx.tolerances, usageRatio)) {
    const wanted = Math.ceil(usageMilli / targetPerPodMilli);
    replicas = wanted > MAX_INT32 ? MAX_INT32 : wanted;
  }
  // statusReplicas 0 makes the reported average infinite; report nothing rather than a bogus number.
  const averageMilli = statusReplicas === 0 ? undefined : Math.ceil(usageMilli / statusReplicas);
  return { replicas, averageMilli };
}

/** Upstream `GetObjectPerPodMetricReplicas`. */
export function getObjectPerPodMetricReplicas(
  ctx: CalculatorContext,
  snapshot: HpaMetricsSnapshot,
  statusReplicas: number,
  targetPerPodMilli: number,
  metricName: string,
  object: { kind: string; name: string },
): CalcResult<ValueReplicas & { averageMilli: number | undefined }> {
  const fetched = getObjectMetric(snapshot, metricName, object.kind, object.name);
  if (!fetched.ok) return fetched;
  return { ok: true, usageMilli: fetched.usageMilli, ...perPodReplicas(ctx, statusReplicas, fetched.usageMilli, targetPerPodMilli) };
}

/** Upstream `GetExternalMetricReplicas`: External with a `value` target. */
export function getExternalMetricReplicas(
  ctx: CalculatorContext,
  snapshot: HpaMetricsSnapshot,
  currentReplicas: number,
  targetMilli: number,
  metricName: string,
  selector: LabelSelector | undefined,
): CalcResult<ValueReplicas> {
  const fetched = getExternalMetricSum(snapshot, metricName, selector);
  if (!fetched.ok) return fetched;
  const counted = getUsageRatioReplicaCount(ctx, currentReplicas, fetched.usageMilli / targetMilli);
  if (!counted.ok) return counted;
  return { ok: true, replicas: counted.replicas, usageMilli: fetched.usageMilli };
}

/** Upstream `GetExternalPerPodMetricReplicas`. */
export function getExternalPerPodMetricReplicas(
  ctx: CalculatorContext,
  snapshot: HpaMetricsSnapshot,
  statusReplicas: number,
  targetPerPodMilli: number,
  metricName: string,
  selector: LabelSelector | undefined,
): CalcResult<ValueReplicas & { averageMilli: number | undefined }> {
  const fetched = getExternalMetricSum(snapshot, metricName, selector);
  if (!fetched.ok) return fetched;
  return { ok: true, usageMilli: fetched.usageMilli, ...perPodReplicas(ctx, statusReplicas, fetched.usageMilli, targetPerPodMilli) };
}
