/**
 * Whether an HPA can act on the service it is attached to: its scaleTargetRef names that
 * service's Deployment, a ContainerResource metric names the pods' container, and every
 * Pods, Object or External metric is one the simulation serves (by a built-in name or the
 * service's `customMetrics`, with a selector its series match). Anything else would load and
 * then never act, so it is an error before the run.
 */
import {
  BUILTIN_METRIC_NAMES,
  DESCRIBED_OBJECT_KINDS,
  METRIC_SIGNAL_NAMES,
  TIME_UNITS,
  describesService,
  selectorMatches,
  type MetricFeed,
} from '../model/autoscaling/metric-signals.js';
import type { LabelSelector } from '../policy/hpa/index.js';
import type { HorizontalPodAutoscalerManifest } from './hpa-manifest.js';
import type { ServiceSpec } from './schema.js';

/** A problem at a path inside the HPA object (`["spec", "metrics", 0, …]`). */
export interface HpaIssue {
  path: (string | number)[];
  message: string;
}

/** The name of the pods' container: `containerName`, else the service's name. */
export function containerNameOf(serviceName: string, spec: ServiceSpec): string {
  return spec.containerName ?? serviceName;
}

/** Every custom metric name the service serves: the built-in names, then its `customMetrics`. */
export function metricFeeds(spec: ServiceSpec): Map<string, MetricFeed> {
  const feeds = new Map<string, MetricFeed>();
  for (const [name, signal] of Object.entries(BUILTIN_METRIC_NAMES)) feeds.set(name, { signal, multiplier: 1, divisor: 1, labels: {} });
  for (const [name, m] of Object.entries(spec.customMetrics)) {
    const [multiplier, divisor] = m.unit === undefined ? [1, 1] : TIME_UNITS[m.unit];
    feeds.set(name, { signal: m.signal, multiplier: multiplier * m.scale, divisor, labels: m.labels });
  }
  return feeds;
}

/** The simulated pods have one container and report cpu and memory. */
const RESOURCES = ['cpu', 'memory'];
const SCALABLE_KIND = 'Deployment';

export function checkHpaForService(hpa: HorizontalPodAutoscalerManifest, serviceName: string, spec: ServiceSpec): HpaIssue[] {
  const issues: HpaIssue[] = [];
  const ref = hpa.spec.scaleTargetRef;
  const at = (...path: (string | number)[]) => ['spec', ...path];
  if (ref.kind !== SCALABLE_KIND)
    issues.push({
      path: at('scaleTargetRef', 'kind'),
      message: `expected "${SCALABLE_KIND}" (a service is simulated as a Deployment; other kinds, such as a StatefulSet that starts pods one at a time, are not modelled), got ${JSON.stringify(ref.kind)}`,
    });
  if (ref.apiVersion !== undefined && ref.apiVersion !== 'apps/v1')
    issues.push({ path: at('scaleTargetRef', 'apiVersion'), message: `expected "apps/v1", got ${JSON.stringify(ref.apiVersion)}` });
  if (ref.name !== serviceName)
    issues.push({ path: at('scaleTargetRef', 'name'), message: `expected ${JSON.stringify(serviceName)} (the service this HPA is attached to), got ${JSON.stringify(ref.name)}` });

  const container = containerNameOf(serviceName, spec);
  const feeds = metricFeeds(spec);
  const knownNames = `${METRIC_SIGNAL_NAMES.join(', ')}; built-in names: ${Object.keys(BUILTIN_METRIC_NAMES).join(', ')}`;
  const checkMetric = (path: (string | number)[], metric: { name: string; selector?: LabelSelector }) => {
    const feed = feeds.get(metric.name);
    if (feed === undefined) {
      issues.push({
        path: [...path, 'name'],
        message: `expected a metric the simulation serves: map it to a signal in services.${serviceName}.customMetrics (signals: ${knownNames}), got ${JSON.stringify(metric.name)}`,
      });
    } else if (!selectorMatches(metric.selector, feed.labels)) {
      issues.push({
        path: [...path, 'selector'],
        message: `expected a selector that matches the simulated series' labels ${formatLabels(feed.labels)} (set them in services.${serviceName}.customMetrics.${metric.name}.labels), got ${formatSelector(metric.selector)}`,
      });
    }
  };
  (hpa.spec.metrics ?? []).forEach((m, i) => {
    switch (m.type) {
      case 'Resource':
        if (!RESOURCES.includes(m.resource.name))
          issues.push({ path: at('metrics', i, 'resource', 'name'), message: `expected ${RESOURCES.join(' or ')} (what the simulated pods report), got ${JSON.stringify(m.resource.name)}` });
        break;
      case 'ContainerResource':
        if (!RESOURCES.includes(m.containerResource.name))
          issues.push({ path: at('metrics', i, 'containerResource', 'name'), message: `expected ${RESOURCES.join(' or ')} (what the simulated pods report), got ${JSON.stringify(m.containerResource.name)}` });
        if (m.containerResource.container !== container)
          issues.push({
            path: at('metrics', i, 'containerResource', 'container'),
            message: `expected ${JSON.stringify(container)} (the pods' container: services.${serviceName}.containerName, default the service's name), got ${JSON.stringify(m.containerResource.container)}`,
          });
        break;
      case 'Pods':
        checkMetric(at('metrics', i, 'pods', 'metric'), m.pods.metric);
        break;
      case 'Object': {
        const described = m.object.describedObject;
        if (!describesService(described, serviceName))
          issues.push({
            path: at('metrics', i, 'object', 'describedObject'),
            message: `expected the ${DESCRIBED_OBJECT_KINDS.join(' or ')} ${JSON.stringify(serviceName)} (the simulation measures only the service it scales), got ${described.kind} ${JSON.stringify(described.name)}`,
          });
        checkMetric(at('metrics', i, 'object', 'metric'), m.object.metric);
        break;
      }
      case 'External':
        checkMetric(at('metrics', i, 'external', 'metric'), m.external.metric);
        break;
    }
  });
  return issues;
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return pairs.length === 0 ? '(none)' : `{${pairs.join(', ')}}`;
}

function formatSelector(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) parts.push(`${e.key} ${e.operator}${e.values ? ` (${e.values.join(', ')})` : ''}`);
  return `{${parts.join(', ')}}`;
}
