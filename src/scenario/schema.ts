import { z } from 'zod';
import { cpu, duration, fraction, memory, period, rate, runDuration, seconds, timeout, window } from './schema-units.js';
import { distributionSchema, oneOf, positive } from './distribution-schema.js';
import { formatDuration } from './units.js';
import { MAX_CLUSTER_PODS, PODS_LIMIT_TEXT } from './limits.js';
import { clusterSchema } from './cluster-schema.js';
import { sloSchema } from './slo-schema.js';
import { keySchema, keysOf, keySpaceName, MAX_KEY_IDS, type KeySpec } from './key-schema.js';
import { eachStep, operationSchema, pathSchema, type StepSpec } from './path-schema.js';
import { cacheSchema } from './cache-schema.js';
import { connectionPoolSchema, databaseSchema } from './database-schema.js';
import { checkShards } from './shard-checks.js';
import { METRIC_SIGNALS, METRIC_SIGNAL_NAMES, TIME_SIGNALS, TIME_UNITS, type MetricSignal } from '../model/autoscaling/metric-signals.js';
import { MAX_NAME_LENGTH, NAME_PATTERN, NAME_RULE, nameProblem } from './names.js';
import type { CurveSpec } from '../model/traffic/rate-curve.js';

export { distributionSchema, type DistributionSpec } from './distribution-schema.js';
export type { CurveSpec };

/**
 * The scenario schema, written once: the TypeScript types are inferred from it and
 * `scenario.schema.json` is generated from it. Every field's default is stated in its
 * description. Internal units after parsing: durations µs, CPU millicores, memory bytes,
 * rates per second, fractions 0..1.
 */

// ---------------------------------------------------------------- traffic

type CurveInput =
  | { constant?: unknown; ramp?: unknown; step?: unknown; spike?: unknown; diurnal?: unknown; sum?: CurveInput[]; product?: CurveInput[] };

const curveShape = {
  constant: rate(),
  ramp: z
    .strictObject({ from: rate(), to: rate(), start: duration(), end: duration() })
    .refine((r) => r.end >= r.start, { path: ['end'], error: (issue) => `expected end ≥ start (${formatDuration((issue.input as { start: number }).start)}), got "${formatDuration((issue.input as { end: number }).end)}"` })
    .meta({ description: 'Linear from `from` at `start` to `to` at `end` (end ≥ start); flat outside.' }),
  step: z.strictObject({ at: duration(), from: rate().prefault(0), to: rate() }).meta({ description: '`from` (default 0) before `at`, `to` from `at` on.' }),
  spike: z
    .strictObject({
      at: duration(),
      multiplier: z.number().gt(1, { error: 'expected a multiplier > 1 (1 is no spike)' }),
      rise: duration().prefault('0s'),
      hold: duration().prefault('0s'),
      decay: duration().prefault('0s'),
    })
    // With hold and decay both 0 the factor is at its peak for one instant only: whatever the rise,
    // the curve drops back to 1 as it reaches the peak (no rise: it never leaves 1 at all).
    .refine((s) => s.hold > 0 || s.decay > 0, {
      error: 'expected hold > 0 or decay > 0: without either the spike is over the instant it peaks (add e.g. hold: 1m, or decay: 30s to ease back)',
    })
    .meta({ description: 'A dimensionless factor (use it inside `product`): 1 before `at`, rises linearly to `multiplier` (> 1) over `rise` (default 0s), holds for `hold` (default 0s), then decays back exponentially with time constant `decay` (default 0s: drops at once). At least one of hold and decay must be > 0.' }),
  diurnal: z
    .strictObject({
      mean: rate(),
      peakHour: z.number().min(0).max(24).meta({ description: 'Hour of the day (0–24, clock time, see `clockStart`) with the highest rate.' }),
      troughToPeak: z.number().gt(0).max(1).meta({ description: 'Lowest rate / highest rate over the day, e.g. 0.3.' }),
    })
    .meta({ description: 'A daily sinusoid around `mean`.' }),
  sum: z.lazy(() => z.array(curveSchema).min(1)).meta({ description: 'Sum of curves.' }),
  product: z.lazy(() => z.array(curveSchema).min(1)).meta({ description: 'Product of curves (a rate times spike factors).' }),
};
export const curveSchema: z.ZodType<CurveSpec, CurveInput> = oneOf(curveShape, 'curve').meta({
  id: 'Curve',
  description: 'A request-rate curve (per second) or a dimensionless factor, composed with sum and product.',
}) as unknown as z.ZodType<CurveSpec, CurveInput>;

export const traceSchema = z
  .strictObject({
    file: z.string().min(1).meta({ description: 'CSV path, relative to the scenario file.' }),
    format: z.enum(['timestamps', 'counts']).meta({ description: '`timestamps`: one row per request (column TIMESTAMP/timestamp/t_s). `counts`: `second,requests`.' }),
    startOffset: duration().prefault('0s').meta({ description: 'Skip this much of the trace (default 0s).' }),
    speedup: positive('a speed-up factor').default(1).meta({ description: 'Time compression: 2 plays a 1h trace in 30m (and doubles its rate). Default 1.' }),
    multiplier: positive('a rate multiplier').default(1).meta({ description: 'Rate multiplier: whole copies of every request, each extra copy jittered, plus thinning for the fraction. Default 1.' }),
    jitter: duration().prefault('1s').meta({ description: 'Jitter of the extra copies made by `multiplier` (default 1s).' }),
    loop: z.boolean().default(false).meta({ description: 'Replay the trace again when it ends (default false).' }),
  })
  .meta({ description: 'Replay a recorded trace instead of a rate curve.' });

export const requestClassSchema = z.strictObject({
  share: z.number().min(0).max(1).meta({ description: 'Fraction of requests in this class; the shares sum to 1.' }),
  cpu: distributionSchema.optional().meta({ description: 'CPU work per request at one full core (e.g. "20ms" or a distribution): shorthand for `path: [{ cpu: … }]`.' }),
  path: pathSchema.optional().meta({ description: 'The steps a request walks on its service while holding a worker: cpu, call, external, db, cache. Give `cpu` or `path`.' }),
  service: z.string().optional().meta({ description: 'The service that receives this class (default `traffic.target`).' }),
  key: keySchema.optional(),
  timeout: timeout().prefault('30s').meta({ description: 'Client deadline: a request not answered by then fails with cause `timeout` (default 30s).' }),
  orderValueUsd: z.number().nonnegative().optional().meta({ description: 'Revenue of a successful request of this class (e.g. checkout), for lost-revenue figures.' }),
  conversionRate: fraction()
    .prefault('100%')
    .meta({ description: 'Fraction of successful requests that become an order worth `orderValueUsd`: "2%" or 0.02; a bare number must be below 1 (default "100%").' }),
});

export const trafficSchema = z
  .strictObject({
    target: z.string().optional().meta({ description: 'Service that receives the traffic (default: the only service).' }),
    rate: curveSchema.optional(),
    trace: traceSchema.optional(),
    classes: z.record(z.string(), requestClassSchema).refine((c) => Object.keys(c).length > 0, { message: 'expected at least one request class' }),
  })
  .superRefine(
    (t, ctx) => {
      // Runs even when other fields failed (`when`), so every problem is reported at once.
      if ((t.rate === undefined) === (t.trace === undefined)) ctx.addIssue({ code: 'custom', message: 'expected exactly one of `rate` or `trace`' });
      const shares = Object.values(t.classes ?? {}).map((c) => (c as { share?: unknown })?.share);
      if (shares.every((x) => typeof x === 'number')) {
        const total = (shares as number[]).reduce((s, x) => s + x, 0);
        if (Math.abs(total - 1) > 1e-6) ctx.addIssue({ code: 'custom', path: ['classes'], message: `class shares must sum to 1, got ${+total.toFixed(6)}` });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

// ---------------------------------------------------------------- services

const resourceListSchema = z.strictObject({ cpu: cpu().optional(), memory: memory().optional() });

export const podLifecycleSchema = z.strictObject({
  imagePull: distributionSchema.prefault('10s').meta({ description: 'Image pull time on a node (default 10s).' }),
  containerStart: distributionSchema.prefault('2s').meta({ description: 'Process start until it can serve (default 2s).' }),
  warmup: z
    .strictObject({
      duration: duration().meta({ description: 'How long a new pod serves slowly (cold JIT, cold local caches).' }),
      slowdown: z.number().min(1).meta({ description: 'Work multiplier at the start of warm-up, easing linearly to 1.' }),
    })
    .optional(),
});

const probePort = z.union([z.number().int().min(1).max(65535), z.string().min(1)]);

export const readinessProbeSchema = z
  .strictObject({
    httpGet: z
      .strictObject({
        path: z.string().optional(),
        port: probePort.optional(),
        host: z.string().optional(),
        scheme: z.enum(['HTTP', 'HTTPS']).optional(),
        httpHeaders: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
      })
      .optional()
      .meta({
        description:
          'The probe is an HTTP request the app answers with its workers: it waits behind queued requests and fails when not answered within timeoutSeconds or when the queue is full. Fields as in Kubernetes; path and port are not used.',
      }),
    tcpSocket: z
      .strictObject({ port: probePort.optional(), host: z.string().optional() })
      .optional()
      .meta({ description: 'The probe only opens a connection: it does not wait for a worker and never fails from load (the default when neither handler is given).' }),
    initialDelaySeconds: seconds('delay').default(0),
    periodSeconds: seconds('period').default(10),
    timeoutSeconds: seconds('timeout').default(1).meta({ description: 'An httpGet probe not answered within this fails (default 1, as upstream).' }),
    successThreshold: z.number().int().positive().default(1),
    failureThreshold: z.number().int().positive().default(3),
  })
  .refine((p) => !(p.httpGet && p.tcpSocket), { error: 'give one probe handler: httpGet or tcpSocket, not both' });

const signalList = METRIC_SIGNAL_NAMES.map((name) => `${name} (${METRIC_SIGNALS[name]})`).join('; ');
const signalSchema = z.enum(METRIC_SIGNAL_NAMES as [MetricSignal, ...MetricSignal[]], {
  error: (issue) => `expected one of the simulated signals ${METRIC_SIGNAL_NAMES.join(', ')}, got ${JSON.stringify(issue.input)}`,
});
const timeUnits = Object.keys(TIME_UNITS) as [keyof typeof TIME_UNITS, ...(keyof typeof TIME_UNITS)[]];

/** A custom metric name's mapping to a simulated signal (a bare signal name, or the object form). */
export const customMetricSchema = z
  .union([
    signalSchema,
    z.strictObject({
      signal: signalSchema,
      unit: z.enum(timeUnits).optional().meta({ description: `Unit of a time signal: ${timeUnits.join(', ')}.` }),
      scale: positive('a scale factor').optional().meta({ description: 'Multiplies the signal (after the unit), e.g. 60 for a per-minute rate (default 1).' }),
      labels: z.record(z.string(), z.string()).optional().meta({ description: "Labels of the simulated series; a metric's `selector` must match them (default none)." }),
    }),
  ], {
    // An object that fails gets its own field's message, not the union's "Invalid input".
    error: (issue) => {
      const inner = issue.code === 'invalid_union' && typeof issue.input === 'object' ? issue.errors[1]?.[0] : undefined;
      if (inner) return `${inner.path.length > 0 ? `${inner.path.join('.')}: ` : ''}${inner.message}`;
      return `expected a signal name (${METRIC_SIGNAL_NAMES.join(', ')}) or { signal, unit, scale, labels }, got ${JSON.stringify(issue.input)}`;
    },
  })
  .transform((m) => (typeof m === 'string' ? { signal: m, scale: 1, labels: {} } : { ...m, scale: m.scale ?? 1, labels: m.labels ?? {} }))
  .superRefine((m, ctx) => {
    if (TIME_SIGNALS.has(m.signal) && m.unit === undefined)
      ctx.addIssue({ code: 'custom', message: `${m.signal} is a time: give its unit, e.g. { signal: ${m.signal}, unit: ms } (one of ${timeUnits.join(', ')})` });
    if (!TIME_SIGNALS.has(m.signal) && m.unit !== undefined)
      ctx.addIssue({ code: 'custom', path: ['unit'], message: `${m.signal} is not a time: leave out unit (use scale to convert), got ${JSON.stringify(m.unit)}` });
  });
export type CustomMetricSpec = z.output<typeof customMetricSchema>;

export const serviceSchema = z.strictObject({
  replicas: z
    .number()
    .int()
    .nonnegative()
    .max(MAX_CLUSTER_PODS, { error: `expected at most ${MAX_CLUSTER_PODS} (${PODS_LIMIT_TEXT})` })
    .meta({ description: `Initial pods (the scale target of an HPA); at most ${MAX_CLUSTER_PODS} over all services, ${PODS_LIMIT_TEXT}. An HPA's maxReplicas has the same bound.` }),
  resources: z
    .strictObject({ requests: resourceListSchema.prefault({}), limits: resourceListSchema.prefault({}) })
    .prefault({})
    .meta({ description: 'Kubernetes requests and limits. The CPU available to a pod is its limit, else its request (no bursting into idle node CPU); defaults: requests cpu 500m, memory 512Mi.' }),
  workers: z.number().int().positive().default(4).meta({ description: 'Concurrent requests a pod serves (threads/workers, default 4).' }),
  queueCapacity: z.number().int().nonnegative().default(100).meta({ description: 'Per-pod FIFO queue of waiting requests; a full queue rejects with 503 (default 100).' }),
  loadBalancer: z.enum(['round-robin', 'least-outstanding', 'random']).default('round-robin').meta({ description: 'How requests are spread over ready pods (default round-robin).' }),
  startup: podLifecycleSchema.prefault({}).meta({ description: 'Pod start-up: image pull + container start, then the readiness probe.' }),
  readinessProbe: readinessProbeSchema.prefault({}).meta({ description: 'Kubernetes readiness probe (defaults as upstream: period 10s, timeout 1s, success 1, failure 3). After failureThreshold failed probes in a row a Ready pod leaves the endpoints until successThreshold probes succeed.' }),
  terminationGracePeriodSeconds: seconds('delay').default(30).meta({ description: 'Time in-flight requests get to finish when a pod is removed (default 30).' }),
  preStopSeconds: seconds('delay').default(0).meta({ description: 'lifecycle.preStop sleep: the app keeps serving while the endpoint removal propagates, then gets SIGTERM (default 0).' }),
  gracefulShutdown: z.boolean().default(true).meta({ description: 'On SIGTERM the app stops accepting and finishes in-flight requests (true, default), or exits at once (false).' }),
  hpa: z
    .unknown()
    .optional()
    .meta({
      description:
        'A HorizontalPodAutoscaler scaling this service: the autoscaling/v2 (or v2beta2) manifest pasted as is (apiVersion, kind, metadata, spec), or { file: "hpa.yaml" } naming a manifest file relative to the scenario (several documents or a List: the HPA whose scaleTargetRef names this service is used), with manifest fields beside `file` as a merge patch of it ({ file: "hpa.yaml", spec: { maxReplicas: 200 } }); null removes it (in a strategy). Its scaleTargetRef must be the Deployment named as the service.',
    }),
  containerName: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: (issue) => `expected a container name (lowercase letters, digits and "-", at most 63, as Kubernetes requires), got ${JSON.stringify(issue.input)}` })
    .optional()
    .meta({ description: "Name of the pods' one container, which a ContainerResource metric of the HPA must name (default: the service's name)." }),
  customMetrics: z
    .record(z.string().min(1), customMetricSchema)
    .default({})
    .meta({
      description: `Custom metric names (as an HPA's Pods, Object or External metric names them) → the simulated signal each reports, so a real manifest works unchanged: { llm_queue_depth: queueLength, nv_inference_queue_duration_us: { signal: queueWait, unit: us } }. Signals: ${signalList}. Built in: http_requests_per_second and requests_per_second → requestsPerSecond, in_flight_requests → inFlight, queue_length → queueLength.`,
    }),
  endpointsPropagationDelay: duration().prefault('1s').meta({ description: 'Time for an endpoint change (pod ready or removed) to reach the load balancer (default 1s).' }),
  connectionPools: z.record(z.string(), connectionPoolSchema).optional().meta({ description: "Each pod's connection pool per database (by database name); a database the service's paths use without an entry gets HikariCP's defaults." }),
  operations: z.record(z.string(), operationSchema).optional().meta({ description: 'What the service does when another service calls it: named operations, each a path (`call` steps name them).' }),
});

// ---------------------------------------------------------------- the scenario

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z
      .string()
      .max(MAX_NAME_LENGTH, { error: (issue) => nameProblem(issue.input as string), abort: true })
      .regex(NAME_PATTERN, { error: (issue) => nameProblem(issue.input as string) })
      .meta({ description: `The results folder's name (results/<name>/): ${NAME_RULE}.` }),
    description: z.string().optional(),
    duration: runDuration().meta({ description: 'Simulated time to run: > 0, at most 366d (the same rules as --duration).' }),
    seed: z.union([z.number().int(), z.string().refine((s) => s.trim() !== '', { error: 'expected a whole number or a non-empty string' })]).default(1).meta({ description: 'Seed of every random stream (default 1).' }),
    clockStart: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day like "00:00"' })
      .default('00:00')
      .meta({ description: 'Clock time at the start of the run, for diurnal curves and the timeline (default "00:00").' }),
    metricsInterval: period().prefault('10s').meta({ description: 'Width of a time-series row (default 10s).' }),
    warmup: duration().prefault('0s').meta({ description: 'Left out of the run statistics (totals, percentiles, SLOs, Little\'s law), not of the time series: a queueing study\'s warm-up. Rounded up to a metricsInterval boundary (default 0s).' }),
    traffic: trafficSchema,
    kubeControllerManager: z
      .strictObject({
        horizontalPodAutoscalerSyncPeriod: period().prefault('15s').meta({ description: 'HPA sync period (default 15s).' }),
        horizontalPodAutoscalerTolerance: fraction().prefault(0.1).meta({ description: 'Ignore metric/target ratios within this of 1: 0.1 or "10%"; a bare number must be below 1 (default 0.1).' }),
        horizontalPodAutoscalerCpuInitializationPeriod: duration().prefault('5m').meta({ description: 'Default 5m.' }),
        horizontalPodAutoscalerInitialReadinessDelay: duration().prefault('30s').meta({ description: 'Default 30s.' }),
        horizontalPodAutoscalerDownscaleStabilization: duration().prefault('5m').meta({ description: 'Default 5m (used when an HPA has no behavior).' }),
      })
      .prefault({})
      .meta({ description: 'kube-controller-manager flags for the HPA controller (names as the flags, camelCased).' }),
    metricsServer: z
      .strictObject({
        metricResolution: period().prefault('15s').meta({ description: 'metrics-server --metric-resolution: scrape interval (default 15s).' }),
        kubeletHousekeepingInterval: period().prefault('10s').meta({ description: 'How often the kubelet (cAdvisor) refreshes CPU counters (default 10s).' }),
      })
      .prefault({}),
    prometheus: z
      .strictObject({
        scrapeInterval: period().prefault('15s').meta({ description: 'Scrape interval of application metrics for Pods/Object/External HPA metrics (default 15s).' }),
        rateWindow: window().prefault('1m').meta({ description: 'Window of rate(http_requests_total[...]) (default 1m).' }),
      })
      .prefault({}),
    slo: sloSchema.optional(),
    cluster: clusterSchema.optional(),
    cost: z
      .strictObject({
        controlPlane: z
          .string()
          .default('eks.cluster-hour')
          .meta({ description: 'Price id billed per cluster-hour for the control plane, or "none" (default eks.cluster-hour).' }),
        prices: z
          .record(
            z.string(),
            z.union([
              z.number().nonnegative(),
              z.strictObject({
                priceUsd: z.number().nonnegative(),
                unit: z.string().optional(),
                source: z.string().optional(),
                granularitySeconds: z.number().nonnegative().optional(),
                minimumSeconds: z.number().nonnegative().optional(),
              }),
            ]),
          )
          .default({})
          .meta({ description: 'Price overrides or additions by catalog id (e.g. {"ec2.m5.large.instance-hour": 0.07} for a discount); a bare number replaces priceUsd.' }),
      })
      .prefault({})
      .meta({ description: 'Prices: AWS us-east-1 on-demand from the catalog (src/catalog/prices.json) unless overridden. Nodes are billed per second with a 60 s minimum; without a cluster block pods are billed as Fargate (vCPU-hours and GB-hours of their requests).' }),
    services: z.record(z.string(), serviceSchema).refine((s) => Object.keys(s).length > 0, { message: 'expected at least one service' }),
    databases: z.record(z.string(), databaseSchema).optional().meta({ description: 'Databases that `db` steps query, by name.' }),
    caches: z.record(z.string(), cacheSchema).optional().meta({ description: 'Caches that `cache` steps use, by name: Redis (ElastiCache) servers or clusters, or local in-pod caches.' }),
    strategies: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .optional()
      .meta({ description: 'Named JSON Merge Patches (RFC 7396) over this scenario; each is run and compared. Without any, the scenario runs as `baseline`.' }),
  })
  .superRefine((s, ctx) => {
    const names = Object.keys(s.services);
    if (s.traffic.target !== undefined && !names.includes(s.traffic.target))
      ctx.addIssue({ code: 'custom', path: ['traffic', 'target'], message: `expected one of the services (${names.join(', ')}), got ${JSON.stringify(s.traffic.target)}` });
    if (s.warmup >= s.duration) ctx.addIssue({ code: 'custom', path: ['warmup'], message: 'expected a warm-up shorter than the duration' });
    const routed = Object.values(s.traffic.classes).every((c) => c.service !== undefined);
    if (s.traffic.target === undefined && names.length > 1 && !routed)
      ctx.addIssue({ code: 'custom', path: ['traffic', 'target'], message: `expected the name of the service that receives traffic (one of ${names.join(', ')})` });
    for (const [name, c] of Object.entries(s.traffic.classes)) {
      if ((c.cpu === undefined) === (c.path === undefined)) ctx.addIssue({ code: 'custom', path: ['traffic', 'classes', name], message: 'expected exactly one of `cpu` or `path`' });
      if (c.service !== undefined && !names.includes(c.service))
        ctx.addIssue({ code: 'custom', path: ['traffic', 'classes', name, 'service'], message: `expected one of the services (${names.join(', ')}), got ${JSON.stringify(c.service)}` });
      checkCalls(c.path ?? [], ['traffic', 'classes', name, 'path'], s.services, ctx);
      checkQueries(c.path ?? [], ['traffic', 'classes', name, 'path'], s.databases ?? {}, ctx);
      checkCaches(c.path ?? [], ['traffic', 'classes', name, 'path'], s.caches ?? {}, ctx, c.key === undefined ? name : undefined);
    }
    for (const [name, service] of Object.entries(s.services)) {
      for (const [op, operation] of Object.entries(service.operations ?? {})) {
        checkCalls(operation.path, ['services', name, 'operations', op, 'path'], s.services, ctx);
        checkQueries(operation.path, ['services', name, 'operations', op, 'path'], s.databases ?? {}, ctx);
        checkCaches(operation.path, ['services', name, 'operations', op, 'path'], s.caches ?? {}, ctx);
      }
      for (const db of Object.keys(service.connectionPools ?? {}))
        if (!(db in (s.databases ?? {}))) ctx.addIssue({ code: 'custom', path: ['services', name, 'connectionPools', db], message: `expected the name of a database (${Object.keys(s.databases ?? {}).join(', ') || 'none defined'})` });
    }
    checkKeySpaces(s.traffic.classes, ctx);
    checkShards(s, ctx);
    const cycle = findCallCycle(s.services);
    if (cycle) ctx.addIssue({ code: 'custom', path: ['services'], message: `calls form a cycle (${cycle.join(' → ')}): a request would call itself without end` });
    const pods = Object.values(s.services).reduce((sum, service) => sum + service.replicas, 0);
    if (names.length > 1 && pods > MAX_CLUSTER_PODS)
      ctx.addIssue({ code: 'custom', path: ['services'], message: `expected at most ${MAX_CLUSTER_PODS} replicas over all services (${PODS_LIMIT_TEXT}), got ${pods}` });
  });

/** Classes sharing a key space agree on its size; all spaces together fit the requests' int32 key ids. */
function checkKeySpaces(classes: Record<string, { key?: KeySpec }>, ctx: z.core.$RefinementCtx): void {
  const sizes = new Map<string, { keys: number; className: string }>();
  let total = 0;
  for (const [name, c] of Object.entries(classes)) {
    if (c.key === undefined) continue;
    const keys = keysOf(c.key);
    const space = keySpaceName(name, c.key);
    const known = sizes.get(space);
    if (known === undefined) {
      sizes.set(space, { keys, className: name });
      total += keys;
    } else if (known.keys !== keys)
      ctx.addIssue({ code: 'custom', path: ['traffic', 'classes', name, 'key', 'popularity'], message: `expected ${known.keys} keys, as class ${known.className} has in key space ${JSON.stringify(space)}, got ${keys}` });
    const hot = c.key.popularity.hotSet;
    if (hot && hot.keys < 2) ctx.addIssue({ code: 'custom', path: ['traffic', 'classes', name, 'key', 'popularity', 'hotSet', 'keys'], message: 'expected at least 2 keys: a hot set and the rest' });
  }
  if (total > MAX_KEY_IDS) ctx.addIssue({ code: 'custom', path: ['traffic', 'classes'], message: `expected at most ${MAX_KEY_IDS.toLocaleString('en-US')} keys over all key spaces, got ${total.toLocaleString('en-US')}` });
}

type ServicesSpec = Record<string, { operations?: Record<string, { path: StepSpec[] }> }>;

/** Every `call` names a service and one of its operations. */
function checkCalls(path: readonly StepSpec[], at: (string | number)[], services: ServicesSpec, ctx: z.core.$RefinementCtx): void {
  eachStep(path, at, (step, stepAt) => {
    if (!step.call) return;
    const callee = services[step.call.service];
    if (!callee) {
      ctx.addIssue({ code: 'custom', path: [...stepAt, 'call', 'service'], message: `expected one of the services (${Object.keys(services).join(', ')}), got ${JSON.stringify(step.call.service)}` });
      return;
    }
    const operations = Object.keys(callee.operations ?? {});
    if (operations.length === 0)
      ctx.addIssue({ code: 'custom', path: [...stepAt, 'call'], message: `service ${JSON.stringify(step.call.service)} has no \`operations\` to call` });
    else if (step.call.operation === undefined ? operations.length > 1 : !operations.includes(step.call.operation))
      ctx.addIssue({ code: 'custom', path: [...stepAt, 'call', 'operation'], message: `expected one of ${step.call.service}'s operations (${operations.join(', ')})${step.call.operation === undefined ? '' : `, got ${JSON.stringify(step.call.operation)}`}` });
  });
}

/** Every `cache` step names a cache (or there is only one); a class whose own path uses a cache has a `key` (`keyless` names a class without one). */
function checkCaches(path: readonly StepSpec[], at: (string | number)[], caches: Record<string, { declaredHitRatio?: number }>, ctx: z.core.$RefinementCtx, keyless?: string): void {
  const names = Object.keys(caches);
  eachStep(path, at, (step, stepAt) => {
    if (!step.cache) return;
    const name = step.cache.name ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined || !(name in caches))
      ctx.addIssue({ code: 'custom', path: [...stepAt, 'cache', 'name'], message: names.length === 0 ? 'a `cache` step needs a cache: add one under `caches`' : `expected one of the caches (${names.join(', ')})${step.cache.name === undefined ? '' : `, got ${JSON.stringify(step.cache.name)}`}` });
    const declared = name !== undefined && caches[name]?.declaredHitRatio !== undefined;
    if (keyless !== undefined && !declared) ctx.addIssue({ code: 'custom', path: [...stepAt, 'cache'], message: `a cache looks up the request's key: give class ${keyless} a \`key\`` });
  });
}

/** Every `db` step names a database (or there is only one) and one of its queries. */
function checkQueries(path: readonly StepSpec[], at: (string | number)[], databases: Record<string, { queries: Record<string, unknown> }>, ctx: z.core.$RefinementCtx): void {
  const names = Object.keys(databases);
  eachStep(path, at, (step, stepAt) => {
    if (!step.db) return;
    const name = step.db.database ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined || !(name in databases)) {
      ctx.addIssue({ code: 'custom', path: [...stepAt, 'db', 'database'], message: names.length === 0 ? 'a `db` step needs a database: add one under `databases`' : `expected one of the databases (${names.join(', ')})${step.db.database === undefined ? '' : `, got ${JSON.stringify(step.db.database)}`}` });
      return;
    }
    const queries = Object.keys(databases[name].queries);
    if (!queries.includes(step.db.query)) ctx.addIssue({ code: 'custom', path: [...stepAt, 'db', 'query'], message: `expected one of ${name}'s queries (${queries.join(', ')}), got ${JSON.stringify(step.db.query)}` });
  });
}

/** A cycle of calls between operations (`service.operation` names), if any: depth-first search. */
function findCallCycle(services: ServicesSpec): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const [name, service] of Object.entries(services))
    for (const [op, operation] of Object.entries(service.operations ?? {})) {
      const targets: string[] = [];
      eachStep(operation.path, [], (step) => {
        if (!step.call) return;
        const ops = Object.keys(services[step.call.service]?.operations ?? {});
        const callee = step.call.operation ?? (ops.length === 1 ? ops[0] : undefined);
        if (callee) targets.push(`${step.call.service}.${callee}`);
      });
      edges.set(`${name}.${op}`, targets);
    }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type ServiceSpec = Scenario['services'][string];
export type RequestClassSpec = Scenario['traffic']['classes'][string];
