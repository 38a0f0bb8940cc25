/**
 * Table-driven tests for the HPA policy, in the style of upstream's TestScalingWithRules: each row's
 * fields are grouped by role (world state / controller flags / HPA spec / expected), and every
 * expected value carries its arithmetic. Numbers marked §11.n are the reference's worked examples
 * (shared/reference/hpa-algorithm.md).
 */
import { describe, expect, test } from 'vitest';
import {
  computeHpaDecision,
  type ExternalMetricSample,
  type HorizontalPodAutoscalerBehavior,
  type HpaControllerConfig,
  type HpaControllerState,
  type HpaDecision,
  type HpaDecisionReason,
  type MetricSpec,
  type ObjectMetricSample,
  type Pod,
  type PodResourceMetrics,
} from '../../src/policy/hpa/index.js';

const NOW = 100_000;
const Mi = 1024 * 1024;

// ---------------------------------------------------------------- world builders

/** One pod, by what matters to the HPA. Defaults: Running, started 1 h ago, Ready since start+10 s, sample 5 s old over 15 s. */
interface P {
  /** cpu usage [millicores]; omitted → no resource metrics entry (a "missing" pod). */
  cpu?: number;
  /** cpu request [millicores], default 1000. */
  req?: number;
  mem?: number;
  memReq?: number;
  /** custom Pods metric "qps" [milli-units]. */
  qps?: number;
  phase?: Pod['status']['phase'];
  /** 'none' = no Ready condition at all. */
  ready?: 'True' | 'False' | 'Unknown' | 'none';
  startedAgo?: number;
  readyAgo?: number;
  sampleAgo?: number;
  windowSeconds?: number;
  terminating?: boolean;
  /** Several containers: name → requests / usage. Overrides req/cpu/mem. */
  containers?: Record<string, { req: Record<string, number>; use?: Record<string, number> }>;
}

function buildWorld(specs: readonly P[]): { pods: Pod[]; resource: Record<string, PodResourceMetrics>; qps: Record<string, number> } {
  const pods: Pod[] = [];
  const resource: Record<string, PodResourceMetrics> = {};
  const qps: Record<string, number> = {};
  specs.forEach((p, i) => {
    const name = `p${i}`;
    const startedAgo = p.startedAgo ?? 3600;
    const readyAgo = p.readyAgo ?? startedAgo - 10;
    const ready = p.ready ?? 'True';
    const containers = p.containers
      ? Object.entries(p.containers).map(([cname, c]) => ({ name: cname, resources: { requests: c.req } }))
      : [{ name: 'app', resources: { requests: { cpu: p.req ?? 1000, ...(p.memReq !== undefined ? { memory: p.memReq } : {}) } } }];
    pods.push({
      metadata: { name },
      status: {
        phase: p.phase ?? 'Running',
        startTime: NOW - startedAgo,
        conditions: ready === 'none' ? [] : [{ type: 'Ready', status: ready, lastTransitionTime: NOW - readyAgo }],
      },
      ...(p.terminating ? { deletionTimestamp: NOW - 1 } : {}),
      containers,
    });
    let usage: Record<string, Record<string, number>> | undefined;
    if (p.containers) {
      usage = Object.fromEntries(Object.entries(p.containers).filter(([, c]) => c.use).map(([cname, c]) => [cname, c.use ?? {}]));
    } else if (p.cpu !== undefined || p.mem !== undefined) {
      usage = { app: { ...(p.cpu !== undefined ? { cpu: p.cpu } : {}), ...(p.mem !== undefined ? { memory: p.mem } : {}) } };
    }
    if (usage) resource[name] = { timestamp: NOW - (p.sampleAgo ?? 5), windowSeconds: p.windowSeconds ?? 15, containers: usage };
    if (p.qps !== undefined) qps[name] = p.qps;
  });
  return { pods, resource, qps };
}

const times = (n: number, p: P): P[] => Array.from({ length: n }, () => ({ ...p }));

// ---------------------------------------------------------------- spec builders

const cpuUtil = (averageUtilization: number): MetricSpec => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });
const cpuAvg = (averageValue: number): MetricSpec => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue } } });
const memUtil = (averageUtilization: number): MetricSpec => ({ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization } } });
const memAvg = (averageValue: number): MetricSpec => ({ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue } } });
const containerCpuUtil = (container: string, averageUtilization: number): MetricSpec => ({
  type: 'ContainerResource',
  containerResource: { name: 'cpu', container, target: { type: 'Utilization', averageUtilization } },
});
const qpsAvg = (averageValueMilli: number): MetricSpec => ({ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: averageValueMilli } } });
const ingressRps = (target: { value?: number; averageValue?: number }): MetricSpec => ({
  type: 'Object',
  object: {
    describedObject: { kind: 'Ingress', name: 'main-route', apiVersion: 'networking.k8s.io/v1' },
    metric: { name: 'requests-per-second' },
    target: target.value !== undefined ? { type: 'Value', value: target.value } : { type: 'AverageValue', averageValue: target.averageValue },
  },
});
const queueExternal = (target: { value?: number; averageValue?: number }): MetricSpec => ({
  type: 'External',
  external: { metric: { name: 'queue_messages_ready' }, target: target.value !== undefined ? { type: 'Value', value: target.value } : { type: 'AverageValue', averageValue: target.averageValue } },
});
const ingressSample = (valueMilli: number): ObjectMetricSample[] => [{ describedObject: { kind: 'Ingress', name: 'main-route' }, metricName: 'requests-per-second', valueMilli }];
const queueSample = (...valuesMilli: number[]): ExternalMetricSample[] => [{ metricName: 'queue_messages_ready', valuesMilli }];

/** A controller that has run for a long time: one very old recommendation, so no window holds anything. */
const WARM: HpaControllerState = { recommendations: [{ replicas: 1, timestamp: NOW - 10_000 }], scaleUpEvents: [], scaleDownEvents: [] };
const withRecs = (...recs: [replicas: number, ago: number][]): HpaControllerState => ({
  recommendations: recs.map(([replicas, ago]) => ({ replicas, timestamp: NOW - ago })),
  scaleUpEvents: [],
  scaleDownEvents: [],
});
const withEvents = (up: [change: number, ago: number][], down: [change: number, ago: number][]): HpaControllerState => ({
  ...WARM,
  scaleUpEvents: up.map(([replicaChange, ago]) => ({ replicaChange, timestamp: NOW - ago, outdated: false })),
  scaleDownEvents: down.map(([replicaChange, ago]) => ({ replicaChange, timestamp: NOW - ago, outdated: false })),
});

// ---------------------------------------------------------------- the table

interface Row {
  name: string;
  // world state
  current: number;
  pods: P[];
  statusReplicas?: number;
  object?: ObjectMetricSample[];
  external?: ExternalMetricSample[];
  noResourceMetrics?: boolean;
  noCustomMetrics?: boolean;
  state?: HpaControllerState;
  // controller flags
  config?: HpaControllerConfig;
  // HPA spec
  min?: number;
  max: number;
  metrics: MetricSpec[];
  behavior?: HorizontalPodAutoscalerBehavior;
  // expected result
  /** max over metrics before normalization, when it says something the final count hides */
  proposal?: number;
  want: number;
  reason: HpaDecisionReason;
}

const rows: Row[] = [
  // ---- Resource cpu Utilization: the reference's worked examples
  {
    name: '§11.1 cpu scale-up',
    current: 3, pods: [{ req: 2000, cpu: 600 }, { req: 2000, cpu: 1000 }, { req: 2000, cpu: 1400 }],
    max: 10, metrics: [cpuUtil(30)],
    want: 5, reason: 'DesiredWithinRange', // util = 3000·100 // 6000 = 50; ceil(50/30 × 3) = ceil(5.0) = 5; legacy cap max(2×3, 4) = 6
  },
  {
    name: '§11.2 an unready pod dampens the scale-up',
    current: 3, pods: [{ req: 2000, cpu: 600, ready: 'False', readyAgo: 3595 }, { req: 2000, cpu: 1000 }, { req: 2000, cpu: 1400 }],
    max: 10, metrics: [cpuUtil(30)],
    want: 4, reason: 'DesiredWithinRange', // ready: 2400·100 // 4000 = 60, r = 2 → p0 := 0: 2400·100 // 6000 = 40; ceil(40/30 × 3) = ceil(4.0) = 4 (not 6)
  },
  {
    name: '§11.3 missing pods count 100% on scale-down',
    current: 4, pods: [{ req: 2000, cpu: 800 }, { req: 2000, cpu: 190 }, { req: 2000 }, { req: 2000 }], state: WARM,
    max: 10, metrics: [cpuUtil(100)],
    want: 3, reason: 'DesiredWithinRange', // 990·100 // 4000 = 24 → missing := 2000: 4990·100 // 8000 = 62; ceil(0.62 × 4) = ceil(2.48) = 3
  },
  {
    name: '§11.4 target above 100%: missing pods count at the target',
    current: 4, pods: [{ req: 2000, cpu: 400, ready: 'False', readyAgo: 3595 }, { req: 2000, cpu: 200 }, { req: 4000, cpu: 200 }, { req: 4000 }], state: WARM,
    max: 10, metrics: [cpuUtil(300)],
    want: 2, reason: 'DesiredWithinRange', // 400·100 // 6000 = 6 → p3 := 4000·300 // 100 = 12000: 12400·100 // 10000 = 124; unready p0 not counted: ceil(124/300 × 3) = ceil(1.24) = 2
  },
  {
    name: '§11.5 External Value: unready pods shrink the base',
    current: 3, pods: [{}, { phase: 'Pending', ready: 'False' }, { ready: 'False' }], external: queueSample(8600), state: WARM,
    max: 10, metrics: [queueExternal({ value: 4400 })],
    want: 2, reason: 'DesiredWithinRange', // r = 8600/4400 = 1.9545; 1 pod Running+Ready: ceil(1.9545 × 1) = 2 < 3
  },
  {
    name: '§11.6 behavior {} from 1 replica, proposal 10',
    current: 1, pods: [{ cpu: 1000 }],
    max: 20, metrics: [cpuUtil(10)], behavior: {},
    proposal: 10, want: 5, reason: 'ScaleUpLimit', // util 100 / 10 → ceil(10 × 1) = 10; limit max(1 + 4, ceil(1 × 2)) = 5
  },
  {
    name: '§11.6 behavior nil (legacy) from 1 replica, proposal 10',
    current: 1, pods: [{ cpu: 1000 }],
    max: 20, metrics: [cpuUtil(10)],
    proposal: 10, want: 4, reason: 'ScaleUpLimit', // legacy limit max(2 × 1, 4) = 4
  },
  {
    name: '§11.6 behavior {} from 10 to 20',
    current: 10, pods: times(10, { cpu: 200 }),
    max: 40, metrics: [cpuUtil(10)], behavior: {},
    want: 20, reason: 'DesiredWithinRange', // util 20/10 → ceil(2 × 10) = 20; limit max(10 + 4, ceil(10 × 2)) = 20
  },
  {
    name: '§11.6 legacy from 10 to 20',
    current: 10, pods: times(10, { cpu: 200 }),
    max: 40, metrics: [cpuUtil(10)],
    want: 20, reason: 'DesiredWithinRange', // legacy limit max(2 × 10, 4) = 20
  },
  {
    name: '§11.7 scale-down Percent policy counts the period history',
    current: 100, pods: times(100, { cpu: 0 }), state: withEvents([], [[2, 100], [4, 60], [6, 20]]),
    max: 100, metrics: [cpuUtil(50)], behavior: { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 50, periodSeconds: 120 }] } },
    proposal: 0, want: 56, reason: 'ScaleDownLimit', // util 0 → ceil(0) = 0; start = 100 + (2+4+6) = 112; trunc(112 × 0.5) = 56
  },
  {
    name: '§11.8 the scale-down window holds',
    current: 10, pods: times(10, { cpu: 200 }), state: withRecs([10, 290], [6, 200], [5, 100]),
    max: 10, metrics: [cpuUtil(50)], behavior: {},
    proposal: 4, want: 10, reason: 'ScaleDownStabilized', // util 20/50 → ceil(0.4 × 10) = 4; max(4, 10, 6, 5) = 10
  },
  {
    name: '§11.8 15 s later the 10 has aged out',
    current: 10, pods: times(10, { cpu: 200 }), state: withRecs([10, 305], [6, 215], [5, 115], [4, 15]),
    max: 10, metrics: [cpuUtil(50)], behavior: {},
    proposal: 4, want: 6, reason: 'ScaleDownStabilized', // max(4, 6, 5, 4) = 6; 100%/15s gives trunc(10 × 0) = 0 → min 1 does not bind
  },
  {
    name: '§11.9 Percent scale-up rounds up in float64',
    current: 50, pods: times(50, { cpu: 200 }),
    max: 200, metrics: [cpuUtil(10)], behavior: { scaleUp: { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] } },
    proposal: 100, want: 56, reason: 'ScaleUpLimit', // ceil(50 × 1.1) = ceil(55.00000000000001) = 56, not 55
  },

  // ---- tolerance
  {
    name: '§11.10 exactly 110% is within tolerance (v1.33+)',
    current: 10, pods: times(10, { cpu: 1100 }),
    max: 20, metrics: [cpuUtil(100)],
    want: 10, reason: 'DesiredWithinRange', // r = 110/100 = 1.1 ≤ 1 + 0.1 → hold (≤ v1.32 gave ceil(11.0) = 11)
  },
  {
    name: '111% is outside tolerance',
    current: 10, pods: times(10, { cpu: 1110 }),
    max: 20, metrics: [cpuUtil(100)],
    want: 12, reason: 'DesiredWithinRange', // ceil(1.11 × 10) = ceil(11.100000000000001) = 12
  },
  {
    name: 'exactly 90% is within tolerance on the way down',
    current: 10, pods: times(10, { cpu: 900 }), state: WARM,
    max: 20, metrics: [cpuUtil(100)],
    want: 10, reason: 'DesiredWithinRange', // r = 0.9 ≥ 1 − 0.1 → hold
  },
  {
    name: 'per-HPA scaleUp tolerance 0.05',
    current: 10, pods: times(10, { cpu: 1080 }),
    max: 20, metrics: [cpuUtil(100)], behavior: { scaleUp: { tolerance: 0.05 } },
    want: 11, reason: 'DesiredWithinRange', // r = 1.08 > 1.05 → ceil(10.8) = 11
  },
  {
    name: 'per-HPA tolerance ignored with the HPAConfigurableTolerance gate off',
    current: 10, pods: times(10, { cpu: 1080 }),
    config: { configurableTolerance: false },
    max: 20, metrics: [cpuUtil(100)], behavior: { scaleUp: { tolerance: 0.05 } },
    want: 10, reason: 'DesiredWithinRange', // r = 1.08 ≤ 1 + 0.1 (cluster) → hold
  },
  {
    name: 'cluster tolerance 0.2',
    current: 10, pods: times(10, { cpu: 1150 }),
    config: { tolerance: 0.2 },
    max: 20, metrics: [cpuUtil(100)],
    want: 10, reason: 'DesiredWithinRange', // r = 1.15 ≤ 1.2 → hold
  },
  {
    name: 'cluster tolerance 0 means unset (0.1), as kube-controller-manager',
    current: 10, pods: times(10, { cpu: 1050 }),
    config: { tolerance: 0 },
    max: 20, metrics: [cpuUtil(100)],
    want: 10, reason: 'DesiredWithinRange', // r = 1.05 ≤ 1.1 → hold (a real 0 would give ceil(10.5) = 11)
  },

  // ---- cpu initialization period and readiness (p0 always old and Ready at 100%; target 50%)
  {
    name: 'young pod whose sample window began before its Ready transition is unready',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, startedAgo: 60, readyAgo: 40, sampleAgo: 30 }],
    max: 10, metrics: [cpuUtil(50)],
    want: 2, reason: 'DesiredWithinRange', // stale: (now−30) < (now−40) + 15; ready util 100, r = 2 → p1 := 0 → 50% → r2 = 1 → hold (counted: ceil(2 × 2) = 4)
  },
  {
    name: 'young pod with a fresh sample counts',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, startedAgo: 60, readyAgo: 40, sampleAgo: 5 }],
    max: 10, metrics: [cpuUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // (now−5) ≥ (now−25) → fresh; ceil(100/50 × 2) = 4; legacy cap max(4, 4) = 4
  },
  {
    name: 'sample window starting exactly at the Ready transition is fresh',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, startedAgo: 60, readyAgo: 40, sampleAgo: 25 }],
    max: 10, metrics: [cpuUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // (now−25) < (now−40) + 15 is false (strict) → ready; ceil(2 × 2) = 4
  },
  {
    name: 'young NotReady pod is unready',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, startedAgo: 60, readyAgo: 40, ready: 'False' }],
    max: 10, metrics: [cpuUtil(50)],
    want: 2, reason: 'DesiredWithinRange', // p1 := 0 on scale-up → 50% → r2 = 1 → hold
  },
  {
    name: 'old pod that went NotReady after being ready keeps contributing',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, ready: 'False', readyAgo: 100 }],
    max: 10, metrics: [cpuUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // start + 30 = now−3570 is not after the transition at now−100 → ready; ceil(2 × 2) = 4
  },
  {
    name: 'old pod that never became ready is unready',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, ready: 'False', readyAgo: 3590 }],
    max: 10, metrics: [cpuUtil(50)],
    want: 2, reason: 'DesiredWithinRange', // start + 30 = now−3570 after the transition at now−3590 → unready → hold at 2
  },
  {
    name: 'Ready=Unknown young pod with a fresh sample counts',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, startedAgo: 60, readyAgo: 40, ready: 'Unknown' }],
    max: 10, metrics: [cpuUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // Unknown is not False; ceil(2 × 2) = 4
  },
  {
    name: 'pod without a Ready condition is unready for cpu',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, ready: 'none' }],
    max: 10, metrics: [cpuUtil(50)],
    want: 2, reason: 'DesiredWithinRange', // no condition → unready → 0% → 50% → hold
  },
  {
    name: 'a shorter cpuInitializationPeriod makes the young pod old',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, startedAgo: 60, readyAgo: 40, sampleAgo: 30 }],
    config: { cpuInitializationPeriodSeconds: 30 },
    max: 10, metrics: [cpuUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // started 60 s ago ≥ 30 s → old and Ready → counted → ceil(2 × 2) = 4
  },
  {
    name: 'a shorter initial readiness delay turns "never ready" into "was ready"',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, ready: 'False', readyAgo: 3590 }],
    config: { delayOfInitialReadinessStatusSeconds: 5 },
    max: 10, metrics: [cpuUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // start + 5 = now−3595 is not after the transition at now−3590 → ready → ceil(2 × 2) = 4
  },
  {
    name: 'Pending pod counts 0% on scale-up',
    current: 3, pods: [{ cpu: 1000 }, { cpu: 1000 }, { phase: 'Pending', ready: 'False' }],
    max: 10, metrics: [cpuUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // 100% → r = 2 → p2 := 0: 2000·100 // 3000 = 66; ceil(66/50 × 3) = ceil(3.96) = 4
  },
  {
    name: 'Failed pod is ignored',
    current: 3, pods: [{ cpu: 1000 }, { cpu: 1000 }, { cpu: 3000, phase: 'Failed' }],
    max: 10, metrics: [cpuUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // 2 ready at 100%: ceil(2 × 2) = 4 (counted: 5000·100 // 3000 = 166 → ceil(3.32 × 3) = 10)
  },
  {
    name: 'terminating pod is ignored',
    current: 3, pods: [{ cpu: 1000 }, { cpu: 1000 }, { cpu: 3000, terminating: true }],
    max: 10, metrics: [cpuUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // as above: ceil(2 × 2) = 4
  },
  {
    name: 'missing pod counts 0% on scale-up and can cancel it',
    current: 3, pods: [{ cpu: 800 }, { cpu: 800 }, {}],
    max: 10, metrics: [cpuUtil(50)],
    want: 3, reason: 'DesiredWithinRange', // 80% → r = 1.6 → p2 := 0: 1600·100 // 3000 = 53 → r2 = 1.06 within → hold
  },
  {
    name: 'missing pods that would flip the direction hold',
    current: 3, pods: [{ cpu: 500 }, {}, {}], state: WARM,
    max: 10, metrics: [cpuUtil(60)],
    want: 3, reason: 'DesiredWithinRange', // 50% → r = 0.833 → missing := 100%: 2500·100 // 3000 = 83 → r2 = 1.38 > 1 → hold
  },
  {
    name: 'scale-up that would land below current holds',
    current: 5, pods: [{ cpu: 1000 }, {}],
    max: 10, metrics: [cpuUtil(40)],
    want: 5, reason: 'DesiredWithinRange', // r = 100/40 = 2.5 → p1 := 0: 50% → r2 = 1.25; ceil(1.25 × 2) = 3 < 5 → hold
  },

  // ---- memory and AverageValue targets
  {
    name: 'memory Utilization ignores readiness',
    current: 2, pods: [{ memReq: 256 * Mi, mem: 256 * Mi }, { memReq: 256 * Mi, mem: 256 * Mi, ready: 'none' }],
    max: 10, metrics: [memUtil(50)],
    want: 4, reason: 'DesiredWithinRange', // no cpu rules: both count at 100%; ceil(100/50 × 2) = 4
  },
  {
    name: 'memory AverageValue',
    current: 3, pods: times(3, { memReq: 256 * Mi, mem: 300 * Mi }),
    max: 10, metrics: [memAvg(200 * Mi)],
    want: 5, reason: 'DesiredWithinRange', // 300Mi / 200Mi = 1.5; ceil(1.5 × 3) = ceil(4.5) = 5
  },
  {
    name: 'cpu AverageValue',
    current: 4, pods: times(4, { cpu: 250 }), state: WARM,
    max: 10, metrics: [cpuAvg(500)],
    want: 2, reason: 'DesiredWithinRange', // (4 × 250) // 4 = 250; 250/500 = 0.5; ceil(0.5 × 4) = 2
  },
  {
    name: 'averageValue is read first, whatever target.type says',
    current: 4, pods: times(4, { cpu: 250 }), state: WARM,
    max: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 10, averageValue: 500 } } }],
    want: 2, reason: 'DesiredWithinRange', // as above; utilization would give 25/10 → ceil(2.5 × 4) = 10
  },
  {
    name: 'cpu AverageValue gets the cpu readiness rules',
    current: 2, pods: [{ cpu: 1000 }, { cpu: 1000, ready: 'none' }],
    max: 10, metrics: [cpuAvg(500)],
    want: 2, reason: 'DesiredWithinRange', // ready 1000/500 = 2 → p1 := 0: (1000 + 0) // 2 = 500 → r2 = 1 → hold
  },

  // ---- ContainerResource
  {
    name: 'ContainerResource uses only the named container',
    current: 2, pods: times(2, { containers: { app: { req: { cpu: 500 }, use: { cpu: 400 } }, sidecar: { req: { cpu: 500 }, use: { cpu: 0 } } } }),
    max: 10, metrics: [containerCpuUtil('app', 40)],
    want: 4, reason: 'DesiredWithinRange', // 2 × 400 · 100 // (2 × 500) = 80; ceil(80/40 × 2) = 4
  },
  {
    name: 'the same pods under a Resource metric sum the containers',
    current: 2, pods: times(2, { containers: { app: { req: { cpu: 500 }, use: { cpu: 400 } }, sidecar: { req: { cpu: 500 }, use: { cpu: 0 } } } }),
    max: 10, metrics: [cpuUtil(40)],
    want: 2, reason: 'DesiredWithinRange', // 800·100 // 2000 = 40 → r = 1 → hold
  },
  {
    name: 'ContainerResource: a pod without that container metric is missing',
    current: 2,
    pods: [
      { containers: { app: { req: { cpu: 500 }, use: { cpu: 400 } }, sidecar: { req: { cpu: 500 }, use: { cpu: 0 } } } },
      { containers: { app: { req: { cpu: 500 } }, sidecar: { req: { cpu: 500 }, use: { cpu: 0 } } } },
    ],
    max: 10, metrics: [containerCpuUtil('app', 40)],
    want: 2, reason: 'DesiredWithinRange', // p0 80% → r = 2 → p1 := 0: 400·100 // 1000 = 40 → r2 = 1 → hold
  },

  // ---- Pods (custom) metrics
  {
    name: 'Pods metric AverageValue',
    current: 3, pods: times(3, { qps: 15000 }),
    max: 10, metrics: [qpsAvg(10000)],
    want: 5, reason: 'DesiredWithinRange', // 15000/10000 = 1.5; ceil(4.5) = 5
  },
  {
    name: 'Pods metric: missing pods count as the target on scale-down',
    current: 4, pods: [{ qps: 2000 }, { qps: 2000 }, {}, {}], state: WARM,
    max: 10, metrics: [qpsAvg(10000)],
    want: 3, reason: 'DesiredWithinRange', // r = 0.2 → fill 10000: (2000+2000+10000+10000) // 4 = 6000 → r2 = 0.6; ceil(2.4) = 3
  },
  {
    name: 'Pods metric: a NotReady pod with a value counts',
    current: 2, pods: [{ qps: 20000 }, { qps: 20000, ready: 'False', readyAgo: 3595 }],
    max: 10, metrics: [qpsAvg(10000)],
    want: 4, reason: 'DesiredWithinRange', // no cpu rules: r = 2; ceil(2 × 2) = 4
  },

  // ---- Object and External
  {
    name: 'Object Value',
    current: 2, pods: times(2, {}), object: ingressSample(25000),
    max: 10, metrics: [ingressRps({ value: 10000 })], behavior: {},
    want: 5, reason: 'DesiredWithinRange', // r = 2.5; 2 ready pods: ceil(5.0) = 5; limit max(2 + 4, 4) = 6
  },
  {
    name: 'Object AverageValue uses status.replicas',
    current: 3, statusReplicas: 3, pods: times(3, {}), object: ingressSample(25000),
    max: 10, metrics: [ingressRps({ averageValue: 5000 })], behavior: {},
    want: 5, reason: 'DesiredWithinRange', // r = 25000 / (5000 × 3) = 1.67; ceil(25000/5000) = 5
  },
  {
    name: 'Object AverageValue within tolerance proposes the surged status.replicas',
    current: 3, statusReplicas: 4, pods: times(4, {}), object: ingressSample(20000),
    max: 10, metrics: [ingressRps({ averageValue: 5000 })], behavior: {},
    want: 4, reason: 'DesiredWithinRange', // r = 20000 / (5000 × 4) = 1.0 within → proposal = status.replicas = 4 > spec 3
  },
  {
    name: 'External AverageValue sums the series',
    current: 3, statusReplicas: 3, pods: times(3, {}), external: queueSample(3000, 5000, 4000),
    max: 10, metrics: [queueExternal({ averageValue: 2000 })], behavior: {},
    want: 6, reason: 'DesiredWithinRange', // Σ = 12000; r = 12000 / (2000 × 3) = 2; ceil(12000/2000) = 6
  },
  {
    name: 'scale from zero with minReplicas 0 (External Value)',
    current: 0, pods: [], external: queueSample(2500),
    min: 0, max: 10, metrics: [queueExternal({ value: 1000 })],
    want: 3, reason: 'DesiredWithinRange', // current 0: ceil(2500/1000) = ceil(2.5) = 3, no tolerance, no pod count
  },
  {
    name: 'scale to zero with minReplicas 0',
    current: 2, pods: times(2, {}), external: queueSample(0), state: WARM,
    min: 0, max: 10, metrics: [queueExternal({ value: 1000 })],
    want: 0, reason: 'DesiredWithinRange', // r = 0 → ceil(0 × 2) = 0 ≥ min 0
  },

  // ---- the min/max and zero branches of reconcile
  {
    name: 'replicas 0 with minReplicas 1 disables scaling',
    current: 0, pods: [],
    max: 10, metrics: [cpuUtil(50)],
    want: 0, reason: 'ScalingDisabled', // maintenance mode: nothing computed
  },
  {
    name: 'above maxReplicas: straight to max, metrics skipped',
    current: 12, pods: times(12, { cpu: 1000 }),
    max: 10, metrics: [cpuUtil(50)],
    want: 10, reason: 'SucceededRescale', // 12 > 10 → 10
  },
  {
    name: 'below minReplicas: straight to min, metrics skipped',
    current: 1, pods: [{ cpu: 0 }],
    min: 2, max: 10, metrics: [cpuUtil(50)],
    want: 2, reason: 'SucceededRescale', // 1 < 2 → 2
  },

  // ---- missing metrics and several metrics
  {
    name: 'no resource metrics at all',
    current: 3, pods: times(3, {}), noResourceMetrics: true,
    max: 10, metrics: [cpuUtil(50)],
    want: 3, reason: 'FailedGetResourceMetric', // every metric invalid → FAILED, scale untouched
  },
  {
    name: 'several metrics: the largest proposal wins',
    current: 3, pods: [{ req: 2000, cpu: 600, qps: 10000 }, { req: 2000, cpu: 1000, qps: 10000 }, { req: 2000, cpu: 1400, qps: 10000 }],
    max: 10, metrics: [qpsAvg(10000), cpuUtil(30)],
    proposal: 5, want: 5, reason: 'DesiredWithinRange', // qps r = 1 → 3; cpu ceil(50/30 × 3) = 5; max(3, 5) = 5
  },
  {
    name: 'one metric missing, the other scales up: scale-up proceeds',
    current: 3, pods: [{ req: 2000, cpu: 600 }, { req: 2000, cpu: 1000 }, { req: 2000, cpu: 1400 }], noCustomMetrics: true,
    max: 10, metrics: [qpsAvg(10000), cpuUtil(30)],
    want: 5, reason: 'DesiredWithinRange', // 1 invalid, 5 ≥ spec 3 → allowed
  },
  {
    name: 'one metric missing, the other would scale down: no scale-down',
    current: 3, pods: times(3, { req: 2000, cpu: 200 }), noCustomMetrics: true, state: WARM,
    max: 10, metrics: [qpsAvg(10000), cpuUtil(30)],
    want: 3, reason: 'FailedGetPodsMetric', // cpu 600·100 // 6000 = 10 → ceil(10/30 × 3) = 1 < spec 3 with 1 invalid → FAILED (first invalid: qps)
  },
  {
    name: 'one metric missing, the other holds: holding is allowed',
    current: 3, pods: times(3, { req: 2000, cpu: 600 }), noCustomMetrics: true,
    max: 10, metrics: [qpsAvg(10000), cpuUtil(30)],
    want: 3, reason: 'DesiredWithinRange', // cpu 30% → r = 1 → 3, not < spec 3 → proceeds
  },

  // ---- behavior: policies, selectPolicy, stabilization, bounds
  {
    name: 'selectPolicy Min picks the smaller scale-up',
    current: 10, pods: times(10, { cpu: 3000 }),
    max: 50, metrics: [cpuUtil(100)],
    behavior: { scaleUp: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }, { type: 'Percent', value: 100, periodSeconds: 60 }] } },
    proposal: 30, want: 14, reason: 'ScaleUpLimit', // 3000·100 // 1000 = 300%: ceil(3 × 10) = 30; min(10 + 4, ceil(10 × 2)) = 14
  },
  {
    name: 'scaleDown selectPolicy Disabled freezes scale-down',
    current: 10, pods: times(10, { cpu: 200 }),
    max: 10, metrics: [cpuUtil(50)], behavior: { scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } },
    proposal: 4, want: 10, reason: 'ScaleDownLimit', // limit = current = 10 > min 1 → ScaleDownLimit, no change
  },
  {
    name: 'scaleUp selectPolicy Disabled freezes scale-up',
    current: 5, pods: times(5, { cpu: 1000 }),
    max: 20, metrics: [cpuUtil(50)], behavior: { scaleUp: { selectPolicy: 'Disabled' } },
    proposal: 10, want: 5, reason: 'ScaleUpLimit', // limit = current = 5 < max 20 → ScaleUpLimit, no change
  },
  {
    name: 'scale-up stabilization window holds the lowest recent recommendation',
    current: 5, pods: times(5, { cpu: 1000 }), state: withRecs([5, 30], [8, 50]),
    max: 20, metrics: [cpuUtil(50)], behavior: { scaleUp: { stabilizationWindowSeconds: 60 } },
    proposal: 10, want: 5, reason: 'ScaleUpStabilized', // upRec = min(10, 5, 8) = 5; clamp(5, 5, 10) = 5
  },
  {
    name: 'legacy stabilization is direction-blind',
    current: 5, pods: times(5, { cpu: 600 }), state: withRecs([8, 60]),
    max: 20, metrics: [cpuUtil(50)],
    proposal: 6, want: 8, reason: 'ScaleDownStabilized', // ceil(1.2 × 5) = 6; max(6, 8) = 8; cap max(10, 4) = 10
  },
  {
    name: 'behavior {} does not stabilize a scale-up against a higher past value',
    current: 5, pods: times(5, { cpu: 600 }), state: withRecs([8, 60]),
    max: 20, metrics: [cpuUtil(50)], behavior: {},
    proposal: 6, want: 6, reason: 'DesiredWithinRange', // upRec = 6 (no up window), downRec = max(6, 8) = 8; clamp(5, 6, 8) = 6
  },
  {
    name: 'TooManyReplicas when maxReplicas is below the rate limit',
    current: 4, pods: times(4, { cpu: 1500 }),
    max: 6, metrics: [cpuUtil(50)], behavior: {},
    proposal: 12, want: 6, reason: 'TooManyReplicas', // ceil(3 × 4) = 12; limit max(8, 8) = 8 ≥ max 6 → 6
  },
  {
    name: 'maxReplicas equal to the rate limit reports TooManyReplicas',
    current: 4, pods: times(4, { cpu: 1500 }),
    max: 8, metrics: [cpuUtil(50)], behavior: {},
    proposal: 12, want: 8, reason: 'TooManyReplicas', // limit 8 == max 8 → tie goes to TooManyReplicas
  },
  {
    name: 'TooFewReplicas when minReplicas is above the scale-down limit',
    current: 5, pods: times(5, { cpu: 100 }),
    min: 3, max: 10, metrics: [cpuUtil(50)], behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
    proposal: 1, want: 3, reason: 'TooFewReplicas', // ceil(0.2 × 5) = 1; limit trunc(5 × 0) = 0 ≤ min 3 → 3
  },
  {
    name: 'legacy TooFewReplicas',
    current: 4, pods: times(4, { cpu: 100 }), state: WARM,
    min: 2, max: 10, metrics: [cpuUtil(50)],
    proposal: 1, want: 2, reason: 'TooFewReplicas', // ceil(0.2 × 4) = ceil(0.8) = 1 < min 2
  },
  {
    name: 'behavior window: a recommendation exactly window seconds old is excluded',
    current: 10, pods: times(10, { cpu: 200 }), state: withRecs([10, 300]),
    max: 10, metrics: [cpuUtil(50)], behavior: {},
    proposal: 4, want: 4, reason: 'DesiredWithinRange', // age 300 < 300 is false → downRec = 4; 100%/15s → no limit above min 1
  },
  {
    name: 'legacy window: a recommendation exactly window seconds old is included',
    current: 10, pods: times(10, { cpu: 200 }), state: withRecs([10, 300]),
    max: 10, metrics: [cpuUtil(50)],
    proposal: 4, want: 10, reason: 'ScaleDownStabilized', // age 300 ≤ 300 → max(4, 10) = 10
  },
  {
    name: 'a scale event exactly periodSeconds old no longer counts',
    current: 6, pods: times(6, { cpu: 1000 }), state: withEvents([[2, 60]], []),
    max: 20, metrics: [cpuUtil(50)], behavior: { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } },
    proposal: 12, want: 8, reason: 'ScaleUpLimit', // age 60 < 60 false → start 6; 6 + 2 = 8
  },
  {
    name: 'a scale event inside the period uses up the budget',
    current: 6, pods: times(6, { cpu: 1000 }), state: withEvents([[2, 59]], []),
    max: 20, metrics: [cpuUtil(50)], behavior: { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } },
    proposal: 12, want: 6, reason: 'ScaleUpLimit', // start = 6 − 2 = 4; 4 + 2 = 6 = current → no change
  },
  {
    name: 'recent scale-down events raise the scale-up start',
    current: 6, pods: times(6, { cpu: 1000 }), state: withEvents([], [[3, 30]]),
    max: 20, metrics: [cpuUtil(50)], behavior: { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } },
    proposal: 12, want: 11, reason: 'ScaleUpLimit', // start = 6 + 3 = 9; 9 + 2 = 11
  },
  {
    name: 'Percent scale-down truncates in float64',
    current: 10, pods: times(10, {}), external: queueSample(0),
    min: 0, max: 10, metrics: [queueExternal({ value: 1000 })],
    behavior: { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 80, periodSeconds: 60 }] } },
    proposal: 0, want: 1, reason: 'ScaleDownLimit', // trunc(10 × (1 − 0.8)) = trunc(1.9999999999999996) = 1, not 2
  },
  {
    name: 'the first reconcile seeds a recommendation that blocks scale-down',
    current: 10, pods: times(10, { cpu: 200 }),
    max: 10, metrics: [cpuUtil(50)], behavior: {},
    proposal: 4, want: 10, reason: 'ScaleDownStabilized', // seeded (10, now); max(4, 10) = 10 for the next 300 s
  },
];

function decide(row: Row): HpaDecision {
  const world = buildWorld(row.pods);
  return computeHpaDecision({
    hpa: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      spec: {
        ...(row.min !== undefined ? { minReplicas: row.min } : {}),
        maxReplicas: row.max,
        metrics: row.metrics,
        ...(row.behavior !== undefined ? { behavior: row.behavior } : {}),
      },
    },
    currentReplicas: row.current,
    ...(row.statusReplicas !== undefined ? { statusReplicas: row.statusReplicas } : {}),
    pods: world.pods,
    metrics: {
      ...(row.noResourceMetrics ? {} : { resource: world.resource }),
      ...(row.noCustomMetrics ? {} : { pods: { qps: world.qps } }),
      object: row.object ?? [],
      external: row.external ?? [],
    },
    ...(row.state !== undefined ? { state: row.state } : {}),
    now: NOW,
    ...(row.config !== undefined ? { config: row.config } : {}),
  });
}

describe('computeHpaDecision table', () => {
  test('has at least 40 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  test.each(rows)('$name', (row) => {
    const decision = decide(row);
    expect(decision.desiredReplicas).toBe(row.want);
    expect(decision.reason).toBe(row.reason);
    expect(decision.rescale).toBe(row.want !== row.current);
    if (row.proposal !== undefined) expect(decision.normalization?.proposedReplicas).toBe(row.proposal);
  });
});

// ---------------------------------------------------------------- details the table does not show

const row = (name: string): Row => {
  const found = rows.find((r) => r.name === name);
  if (!found) throw new Error(`no row ${name}`);
  return found;
};

describe('reported metrics, conditions and messages', () => {
  test('§11.1 reports 50% and a raw average of 1000m', () => {
    const d = decide(row('§11.1 cpu scale-up'));
    expect(d.metrics[0]).toMatchObject({
      metricName: 'cpu resource utilization (percentage of request)',
      proposedReplicas: 5,
      current: { averageUtilization: 50, averageValue: 1000 }, // 3000 // 3
    });
    expect(d.rescaleReason).toBe('cpu resource utilization (percentage of request) above target');
    expect(d.message).toBe('cpu 50% of target 30% → 5; DesiredWithinRange; 3 → 5');
    expect(d.conditions).toEqual([
      { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 5' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' },
      { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
    ]);
    expect(d.events).toEqual([{ type: 'Normal', reason: 'SuccessfulRescale', message: 'New size: 5; reason: cpu resource utilization (percentage of request) above target' }]);
  });

  test('§11.2 reports the ready pods\' 60%, not the filled 40%', () => {
    const d = decide(row('§11.2 an unready pod dampens the scale-up'));
    expect(d.metrics[0].current?.averageUtilization).toBe(60);
    expect(d.metrics[0].podCounts).toEqual({ ready: 2, unready: 1, missing: 0, ignored: 0 });
    expect(d.message).toContain('cpu 60% of target 30% (2 ready, 1 unready) → 4');
  });

  test('§11.6 ScaleUpLimit message shows the policy arithmetic', () => {
    const d = decide(row('§11.6 behavior {} from 1 replica, proposal 10'));
    expect(d.message).toBe('cpu 100% of target 10% → 10; ScaleUpLimit: 10 → 5 (Max of Pods 4 per 15s from 1 → 5, Percent 100% per 15s from 1 → 2); 1 → 5');
    expect(d.conditions.find((c) => c.type === 'ScalingLimited')).toEqual({
      type: 'ScalingLimited',
      status: 'True',
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    });
  });

  test('§11.8 stabilization message and AbleToScale condition', () => {
    const d = decide(row('§11.8 the scale-down window holds'));
    expect(d.message).toBe('cpu 20% of target 50% → 4; ScaleDownStabilized: 4 → 10 (highest recommendation in the last 300s is 10); stays at 10');
    expect(d.conditions[0]).toMatchObject({ type: 'AbleToScale', reason: 'ScaleDownStabilized' });
    expect(d.normalization).toMatchObject({ path: 'behavior', proposedReplicas: 4, upRecommendation: 4, downRecommendation: 10, stabilizedReplicas: 10, finalReplicas: 10 });
  });

  test('a missing metric fails with the upstream condition text and records nothing new', () => {
    const d = decide(row('no resource metrics at all'));
    expect(d.conditions).toContainEqual({
      type: 'ScalingActive',
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    });
    expect(d.events.map((e) => e.reason)).toEqual(['FailedGetResourceMetric', 'FailedComputeMetricsReplicas']);
    expect(d.events[1].message).toBe(
      'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    );
    expect(d.normalization).toBeUndefined();
    // Only the first-sight seed (3, now): failed reconciles record no proposal.
    expect(d.nextState.recommendations).toEqual([{ replicas: 3, timestamp: NOW }]);
  });

  test('External AverageValue reports the total and the per-pod average', () => {
    const d = decide(row('External AverageValue sums the series'));
    expect(d.metrics[0]).toMatchObject({ metricName: 'external metric queue_messages_ready(nil)', current: { value: 12000, averageValue: 4000 } }); // ceil(12000/3)
  });

  test('Object AverageValue is labelled "external metric", as upstream does', () => {
    const d = decide(row('Object AverageValue uses status.replicas'));
    expect(d.metrics[0]).toMatchObject({ metricName: 'external metric requests-per-second(nil)', current: { value: 25000, averageValue: 8334 } }); // ceil(25000/3) = 8334
  });

  test('an unknown metric type fails with InvalidMetricSourceType', () => {
    const d = decide({ ...row('§11.1 cpu scale-up'), metrics: [{ type: 'Prometheus', prometheus: {} } as unknown as MetricSpec] });
    expect(d.reason).toBe('InvalidMetricSourceType');
    expect(d.desiredReplicas).toBe(3);
    expect(d.metrics[0].error).toEqual({ reason: 'InvalidMetricSourceType', message: 'unknown metric source type "Prometheus"' });
  });

  test('no spec.metrics means cpu at 80%, as the API server defaults it', () => {
    const d = decide({ ...row('§11.1 cpu scale-up'), metrics: [] });
    // util 50% of 80% → r = 0.625 → ceil(0.625 × 3) = ceil(1.875) = 2; the seeded 3 holds it (legacy window)
    expect(d.normalization?.proposedReplicas).toBe(2);
    expect(d.metrics[0].target).toEqual({ type: 'Utilization', averageUtilization: 80 });
  });

  test('ScalingDisabled leaves everything but the seed alone', () => {
    const d = decide(row('replicas 0 with minReplicas 1 disables scaling'));
    expect(d.rescale).toBe(false);
    expect(d.conditions).toContainEqual({ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
  });

  test('the max correction records a scale event on the behavior path', () => {
    const d = decide({ ...row('above maxReplicas: straight to max, metrics skipped'), behavior: {}, state: WARM });
    expect(d.desiredReplicas).toBe(10);
    expect(d.rescaleReason).toBe('Current number of replicas above Spec.MaxReplicas');
    expect(d.nextState.scaleDownEvents).toEqual([{ replicaChange: 2, timestamp: NOW, outdated: false }]); // |10 − 12|
    expect(d.nextState.recommendations).toEqual(WARM.recommendations); // min/max branches record no proposal
  });
});

describe('controller memory', () => {
  const base = row('§11.8 the scale-down window holds');

  test('§11.8 chained: hold at 10, then 6 fifteen seconds later', () => {
    const first = decide(base);
    expect(first.desiredReplicas).toBe(10);
    // The 4 was appended: no entry is older than both windows (0 s and 300 s).
    expect(first.nextState.recommendations).toEqual([
      { replicas: 10, timestamp: NOW - 290 },
      { replicas: 6, timestamp: NOW - 200 },
      { replicas: 5, timestamp: NOW - 100 },
      { replicas: 4, timestamp: NOW },
    ]);
    const world = buildWorld(base.pods);
    const second = computeHpaDecision({
      hpa: { spec: { maxReplicas: 10, metrics: base.metrics, behavior: {} } },
      currentReplicas: 10,
      pods: world.pods,
      metrics: { resource: world.resource },
      state: first.nextState,
      now: NOW + 15,
    });
    expect(second.desiredReplicas).toBe(6); // ages 305, 215, 115, 15 → max(4, 6, 5, 4) = 6
    // The 10 (305 s > 300 s and > 0 s) is the old entry that gets overwritten by (4, now+15).
    expect(second.nextState.recommendations[0]).toEqual({ replicas: 4, timestamp: NOW + 15 });
    expect(second.nextState.scaleDownEvents).toEqual([{ replicaChange: 4, timestamp: NOW + 15, outdated: false }]);
  });

  test('legacy path stores no scale events', () => {
    const d = decide(row('§11.1 cpu scale-up'));
    expect(d.nextState.scaleUpEvents).toEqual([]);
    expect(d.nextState.recommendations).toEqual([
      { replicas: 3, timestamp: NOW }, // seed
      { replicas: 5, timestamp: NOW }, // the proposal
    ]);
  });

  test('an outdated scale event is marked and overwritten', () => {
    // Default scale-up policies have a longest period of 15 s; an event 100 s old is outdated.
    const d = decide({ ...row('§11.6 behavior {} from 10 to 20'), state: withEvents([[3, 100], [1, 10]], []) });
    // Only the 1-replica event is inside the 15 s periods: start = 10 − 1 = 9; max(9 + 4, ceil(9 × 2)) = 18.
    expect(d.desiredReplicas).toBe(18);
    expect(d.reason).toBe('ScaleUpLimit');
    expect(d.nextState.scaleUpEvents).toEqual([
      { replicaChange: 8, timestamp: NOW, outdated: false }, // 18 − 10, overwrote the outdated (3, now−100)
      { replicaChange: 1, timestamp: NOW - 10, outdated: false },
    ]);
  });

  test('the input is never mutated', () => {
    const world = buildWorld(times(10, { cpu: 200 }));
    const input = {
      hpa: { spec: { maxReplicas: 10, metrics: [cpuUtil(50)], behavior: {} } },
      currentReplicas: 10,
      pods: world.pods,
      metrics: { resource: world.resource },
      state: withEvents([[1, 100]], [[2, 5]]),
      now: NOW,
    };
    const snapshot = JSON.parse(JSON.stringify(input));
    computeHpaDecision(input);
    expect(JSON.parse(JSON.stringify(input))).toEqual(snapshot);
  });
});
