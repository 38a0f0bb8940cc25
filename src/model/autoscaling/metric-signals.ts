/**
 * What the simulation can serve as a custom metric (Pods, Object or External) to an HPA: a few
 * signals measured on the pods, each under the metric names a scenario maps to it. Per pod a
 * signal is the pod's own value; for the whole service (Object and External metrics) counts and
 * rates are summed over the pods and times are averaged over the requests.
 */
export const METRIC_SIGNALS = {
  requestsPerSecond: 'requests received per second, like rate(http_requests_total[rateWindow])',
  inFlight: 'requests held (in service + waiting) at the scrape',
  queueLength: 'requests waiting for a worker at the scrape',
  queueWait: 'mean time the requests started within the rate window waited for a worker (a time: give its unit)',
  latency: 'mean time from arrival to response of the requests completed within the rate window (a time: give its unit)',
} as const;

export type MetricSignal = keyof typeof METRIC_SIGNALS;
export const METRIC_SIGNAL_NAMES = Object.keys(METRIC_SIGNALS) as MetricSignal[];

/** Signals that are times; the simulation measures them in µs. */
export const TIME_SIGNALS: ReadonlySet<MetricSignal> = new Set(['queueWait', 'latency']);

/** A time unit as [multiplier, divisor] from µs, so that whole µs convert exactly (100000 µs → 100 ms). */
export const TIME_UNITS = { s: [1, 1e6], ms: [1, 1e3], us: [1, 1], µs: [1, 1], ns: [1e3, 1] } as const;
export type TimeUnit = keyof typeof TIME_UNITS;

/** A metric name resolved to a signal: value in the metric's unit = signal × multiplier ÷ divisor. */
export interface MetricFeed {
  readonly signal: MetricSignal;
  readonly multiplier: number;
  readonly divisor: number;
  /** Labels of the simulated series; a metric selector must match them. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Names every scenario can use without mapping them (the Prometheus adapter's usual names). */
export const BUILTIN_METRIC_NAMES: Readonly<Record<string, MetricSignal>> = {
  http_requests_per_second: 'requestsPerSecond',
  requests_per_second: 'requestsPerSecond',
  in_flight_requests: 'inFlight',
  queue_length: 'queueLength',
};

/** The kinds an Object metric may describe: the service's own Service or Deployment. */
export const DESCRIBED_OBJECT_KINDS = ['Service', 'Deployment'] as const;

export function describesService(ref: { kind: string; name: string }, serviceName: string): boolean {
  return (DESCRIBED_OBJECT_KINDS as readonly string[]).includes(ref.kind) && ref.name === serviceName;
}

interface Requirement {
  key: string;
  operator: string;
  values?: readonly string[];
}

/** Kubernetes label-selector semantics: every matchLabels pair and every expression must hold. */
export function selectorMatches(selector: { matchLabels?: Readonly<Record<string, string>>; matchExpressions?: readonly Requirement[] } | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    if (operator === 'In' && !(has && values.includes(labels[key]))) return false;
    if (operator === 'NotIn' && has && values.includes(labels[key])) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
