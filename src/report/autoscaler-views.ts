import type { HorizontalPodAutoscaler, MetricSpec } from '../policy/hpa/index.js';
import type { Scenario } from '../scenario/schema.js';
import type { AutoscalerView } from './report-input.js';

/** Kubernetes sets no default CPU request; the simulator's (see the services builder). */
const DEFAULT_CPU_REQUEST_MILLICORES = 500;

/** What each HPA of a scenario scales on, for the labels of its charts and timeline lines. */
export function autoscalerViews(scenario: Scenario): AutoscalerView[] {
  const views: AutoscalerView[] = [];
  for (const [service, spec] of Object.entries(scenario.services)) {
    const first = (spec.hpa as HorizontalPodAutoscaler | undefined)?.spec.metrics?.[0];
    if (!first) continue;
    const request = spec.resources.requests.cpu ?? spec.resources.limits.cpu ?? DEFAULT_CPU_REQUEST_MILLICORES;
    const limit = spec.resources.limits.cpu ?? request;
    const scraper = first.type === 'Resource' || first.type === 'ContainerResource' ? 'metrics-server' : 'Prometheus';
    views.push({ service, scraper, ...describe(first, (100 * limit) / request) });
  }
  return views;
}

function describe(metric: MetricSpec, limitPct: number): Omit<AutoscalerView, 'service' | 'scraper'> {
  switch (metric.type) {
    case 'Resource':
    case 'ContainerResource': {
      const source = metric.type === 'Resource' ? metric.resource : metric.containerResource;
      if (source.target.type === 'Utilization') return { metric: source.name, unit: '% of request', ...(source.name === 'cpu' ? { limit: limitPct } : {}) };
      return { metric: source.name, unit: source.name === 'cpu' ? 'millicores per pod' : 'per pod' };
    }
    case 'Pods':
      return { metric: metric.pods.metric.name, unit: 'per pod' };
    case 'Object':
      return { metric: metric.object.metric.name, unit: metric.object.target.type === 'AverageValue' ? 'per pod' : 'in all' };
    case 'External':
      return { metric: metric.external.metric.name, unit: metric.external.target.averageValue !== undefined ? 'per pod' : 'in all' };
  }
}

/** "cpu 169% of request", "http_requests_per_second 31.5 per pod". */
export function metricReading(view: Pick<AutoscalerView, 'metric' | 'unit'>, value: number): string {
  return view.unit.startsWith('%') ? `${view.metric} ${number(value)}${view.unit}` : `${view.metric} ${number(value)} ${view.unit}`;
}

/** A value with the short form of its unit: "169%", "31.5". */
export function metricAmount(view: Pick<AutoscalerView, 'unit'> | undefined, value: number): string {
  return view?.unit.startsWith('%') ? `${number(value)}%` : number(value);
}

function number(value: number): string {
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
