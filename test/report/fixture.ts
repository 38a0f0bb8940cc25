import type { ReportInput, StrategyReport } from '../../src/report/report-input.js';

/**
 * A realistic ReportInput without running the simulator: a diurnal day of traffic
 * (~800 req/s mean) with a Black Friday flash sale (×5 for 10 minutes at 14:00), sampled
 * every 10 s, and strategies that react to it differently (fixed capacity, HPAs with lag,
 * node headroom), and a database that fills to max_connections without a proxy (one strategy
 * has a proxy). Deterministic: no Math.random, no clock.
 *
 * It also carries hostile text (`</script>`, `<!--`, quotes, ampersands) in the places a
 * user's scenario can put text, so that escaping is exercised.
 */
export interface FixtureOptions {
  /** Number of strategies (1–10); 3 by default. */
  strategies?: number;
  /** Simulated hours; 24 by default. */
  hours?: number;
  /** Metrics interval, seconds; 10 by default. */
  intervalS?: number;
  /** Timeseries columns to leave out. */
  drop?: string[];
  /** With 1, headline half-widths are NaN (one replication); 5 by default. */
  replications?: number;
}

export const COLUMNS = [
  't_s',
  'arrivals_rps',
  'completed_rps',
  'p50_ms',
  'p95_ms',
  'p99_ms',
  'errors_timeout',
  'errors_rejected',
  'errors_pod_terminated',
  'pods_desired',
  'pods_ready',
  'pods_starting',
  'pods_pending',
  'pods_terminating',
  'nodes_ready',
  'nodes_provisioning',
  'capacity_rps',
  'cpu_utilization_pct',
  'queue_length',
  'cost_usd',
  'cost_cumulative_usd',
  'db_cpu_pct',
  'db_connections',
  'db_max_connections',
  'proxy_db_connections',
] as const;

type Column = (typeof COLUMNS)[number];

interface Kind {
  name: string;
  /** Fixed pod count, or an autoscaler. */
  fixedPods?: number;
  /** HPA: target utilisation and how many intervals new pods take to become ready. */
  target?: number;
  lagIntervals?: number;
  /** Nodes kept spare (headroom) so that new pods do not wait for nodes. */
  headroomNodes?: number;
  maxPods: number;
  /** A database proxy: pods' connections are multiplexed onto a few to the database. */
  proxy?: boolean;
}

const KINDS: Kind[] = [
  { name: 'hpa-cpu-50', target: 0.5, lagIntervals: 9, maxPods: 80 },
  { name: 'fixed-40', fixedPods: 40, maxPods: 40 },
  { name: 'headroom-nodes', target: 0.5, lagIntervals: 3, headroomNodes: 2, maxPods: 80, proxy: true },
  { name: 'hpa-cpu-70', target: 0.7, lagIntervals: 9, maxPods: 60 },
  { name: 'hpa-rps', target: 0.6, lagIntervals: 6, maxPods: 80 },
  { name: 'fixed-24', fixedPods: 24, maxPods: 24 },
  { name: 'keda-queue', target: 0.55, lagIntervals: 5, maxPods: 90 },
  { name: 'vertical-xl', fixedPods: 12, maxPods: 12 },
  { name: 'hpa-fast', target: 0.5, lagIntervals: 2, maxPods: 100 },
  { name: 'fixed-60', fixedPods: 60, maxPods: 60 },
];

/** Requests per second one pod serves; vertical-xl's pods are 4× bigger. */
const POD_RPS = 40;
const PODS_PER_NODE = 8;
const NODE_USD_PER_HOUR = 0.096;
const ORDER_VALUE_USD = 120;
/** The database: each pod's pool holds this many connections; a proxy holds at most PROXY_DB_CONNECTIONS. */
const POOL_SIZE = 10;
const MAX_CONNECTIONS = 400;
const PROXY_DB_CONNECTIONS = 100;
/** Requests per second that keep the database's CPU busy. */
const DB_RPS = 3000;
export const SPIKE_T_S = 8 * 3600;
/** How long after a pod's true CPU the HPA strategies' metrics pipeline shows it (whole intervals of the fixture's). */
export const PIPELINE_LAG_S = 30;
/** The HPA strategies' view of their metric, as the simulator records it (see addHpaColumns). */
export const HPA_COLUMNS = ['hpa_web_metric_value', 'hpa_web_metric_target', 'hpa_web_metric_true', 'hpa_web_metric_scraped_s', 'hpa_web_desired'] as const;
/** A pod's CPU limit as % of its request: no reading goes above it. */
const CPU_LIMIT_PCT = 200;
export const CLOCK_START = '06:00';

/** Deterministic noise in [-1, 1) from an integer (a hash, not a random stream). */
function noise(i: number, salt: number): number {
  let x = (i * 374761393 + salt * 668265263) | 0;
  x = Math.imul(x ^ (x >>> 13), 1274126177);
  x ^= x >>> 16;
  return ((x >>> 0) / 2 ** 32) * 2 - 1;
}

/** Arrivals (req/s) at t seconds after 06:00: a diurnal curve and the 14:00 flash sale. */
export function arrivalsAt(t_s: number, i: number): number {
  const hour = 6 + t_s / 3600;
  const diurnal = 800 * (0.7 + 0.3 * Math.sin((2 * Math.PI * (hour - 5)) / 24));
  const since = t_s - SPIKE_T_S;
  let multiplier = 1;
  if (since >= 0 && since < 60) multiplier = 1 + (4 * since) / 60;
  else if (since >= 60 && since < 660) multiplier = 5;
  else if (since >= 660 && since < 960) multiplier = 5 - (4 * (since - 660)) / 300;
  return Math.max(0, diurnal * multiplier * (1 + 0.04 * noise(i, 1)));
}

function strategy(kind: Kind, options: Required<Omit<FixtureOptions, 'drop'>> & { drop: string[] }): Omit<StrategyReport, 'slo' | 'meetsSlo'> & { p99Max: number; errorRate: number } {
  const { hours, intervalS } = options;
  const n = Math.round((hours * 3600) / intervalS);
  const podRps = kind.name === 'vertical-xl' ? POD_RPS * 4 : POD_RPS;
  // Only a strategy with a proxy has the proxy's column, as in timeseries.csv.
  const columns: string[] = COLUMNS.filter((c) => !options.drop.includes(c) && (c !== 'proxy_db_connections' || kind.proxy));
  // Only an autoscaled strategy has an HPA's columns.
  if (kind.target !== undefined) columns.push(...HPA_COLUMNS.filter((c) => !options.drop.includes(c)));
  const trueCpu: number[] = []; // % of request, by interval, for the lagging reading
  const rows: number[][] = [];
  const decisions: StrategyReport['decisions'] = [];
  const timeline: string[] = [];
  let ready = kind.fixedPods ?? 10;
  let desired = ready;
  let nodes = Math.ceil(ready / PODS_PER_NODE) + (kind.headroomNodes ?? 0);
  const pipeline: number[] = []; // desired counts waiting to become ready
  let cumulative = 0;
  let totalArrivals = 0;
  let totalErrors = 0;
  let lostRevenue = 0;
  const p99s: number[] = [];
  for (let i = 1; i <= n; i++) {
    const t = i * intervalS;
    const arrivals = arrivalsAt(t, i);
    // The autoscaler looks every 15 s (here: every interval), pods become ready after a lag.
    if (kind.target !== undefined && i % 2 === 0) {
      const want = Math.min(kind.maxPods, Math.max(2, Math.ceil(arrivals / (podRps * kind.target))));
      if (want !== desired && Math.abs(want - desired) >= Math.max(1, Math.round(desired * 0.1))) {
        const up = want > desired;
        decisions.push({
          t_s: t,
          controller: 'hpa/web',
          from: desired,
          to: want,
          reason: up ? (want === kind.maxPods ? 'TooManyReplicas' : 'SucceededRescale') : 'ScaleDownStabilized',
          message: `cpu ${Math.round((arrivals / (ready * podRps)) * 100)}% of target ${Math.round(kind.target * 100)}% → ${want} pods${up && want === kind.maxPods ? ' </script><!-- capped' : ''}`,
        });
        desired = want;
      }
    }
    pipeline.push(desired);
    const lag = kind.lagIntervals ?? 0;
    const arrivedDesired = pipeline.length > lag ? pipeline.shift()! : ready;
    const wantNodes = Math.ceil(desired / PODS_PER_NODE) + (kind.headroomNodes ?? 0);
    if (wantNodes > nodes && i % 6 === 0) {
      decisions.push({ t_s: t, controller: 'cluster-autoscaler/general', from: nodes, to: wantNodes, reason: 'ScaleUp', message: `${desired - ready} pods pending: +${wantNodes - nodes} m5.large` });
      nodes = wantNodes;
    } else if (wantNodes < nodes - 1 && i % 60 === 0) {
      decisions.push({ t_s: t, controller: 'cluster-autoscaler/general', from: nodes, to: nodes - 1, reason: 'ScaleDown', message: 'node underutilized for 10m' });
      nodes -= 1;
    }
    const roomFor = nodes * PODS_PER_NODE;
    const terminating = Math.max(0, ready - arrivedDesired);
    ready = Math.min(arrivedDesired, roomFor);
    const pending = Math.max(0, desired - roomFor);
    const starting = Math.max(0, Math.min(desired, roomFor) - ready);
    const capacity = ready * podRps;
    const utilization = arrivals / Math.max(capacity, 1);
    const queueing = utilization < 1 ? 1 / (1 - Math.min(utilization, 0.97)) : 30 + 200 * (utilization - 1);
    const p50 = 18 * (1 + 0.3 * utilization * utilization) * (1 + 0.05 * noise(i, 2));
    const p95 = Math.min(5000, p50 * 1.8 * Math.sqrt(queueing));
    const p99 = Math.min(5000, p50 * 2.6 * queueing);
    const excess = Math.max(0, arrivals - capacity) * intervalS;
    const rejected = Math.round(excess * 0.6);
    const timeout = Math.round(excess * 0.3);
    const podTerminated = terminating > 0 ? terminating : 0;
    const completed = (arrivals * intervalS - rejected - timeout - podTerminated) / intervalS;
    const cost = ((nodes * NODE_USD_PER_HOUR) / 3600) * intervalS;
    cumulative += cost;
    totalArrivals += arrivals * intervalS;
    totalErrors += rejected + timeout + podTerminated;
    // A tenth of requests are checkouts, and 3% of failed checkouts were a lost order.
    lostRevenue += (rejected + timeout + podTerminated) * 0.1 * 0.03 * ORDER_VALUE_USD;
    p99s.push(p99);
    const values: Record<Column, number> = {
      t_s: t,
      arrivals_rps: arrivals,
      completed_rps: completed,
      // No successful request in an interval: the percentiles are NaN, as in the recorder.
      p50_ms: completed > 0 ? p50 : NaN,
      p95_ms: completed > 0 ? p95 : NaN,
      p99_ms: completed > 0 ? p99 : NaN,
      errors_timeout: timeout,
      errors_rejected: rejected,
      errors_pod_terminated: podTerminated,
      pods_desired: desired,
      pods_ready: ready,
      pods_starting: starting,
      pods_pending: pending,
      pods_terminating: terminating,
      nodes_ready: nodes,
      nodes_provisioning: Math.max(0, wantNodes - nodes),
      capacity_rps: capacity,
      cpu_utilization_pct: Math.min(100, utilization * 100),
      queue_length: utilization > 1 ? Math.round(excess) : 0,
      cost_usd: cost,
      cost_cumulative_usd: cumulative,
      db_cpu_pct: Math.min(100, (100 * completed) / DB_RPS),
      db_connections: Math.min(MAX_CONNECTIONS, kind.proxy ? PROXY_DB_CONNECTIONS : ready * POOL_SIZE),
      db_max_connections: MAX_CONNECTIONS,
      proxy_db_connections: Math.min(PROXY_DB_CONNECTIONS, ready * 2),
    };
    const cpu = Math.min(CPU_LIMIT_PCT, (100 * arrivals) / Math.max(ready * podRps, 1));
    trueCpu.push(cpu);
    const lagIntervals = Math.max(1, Math.round(PIPELINE_LAG_S / intervalS));
    const lagged = trueCpu.length > lagIntervals ? trueCpu[trueCpu.length - 1 - lagIntervals] : NaN;
    const hpa: Record<(typeof HPA_COLUMNS)[number], number> = {
      hpa_web_metric_value: lagged,
      hpa_web_metric_target: (kind.target ?? NaN) * 100,
      hpa_web_metric_true: cpu,
      hpa_web_metric_scraped_s: t - lagIntervals * intervalS,
      hpa_web_desired: desired,
    };
    rows.push(columns.map((c) => (c in values ? values[c as Column] : hpa[c as keyof typeof hpa])));
  }
  timeline.push('14:00:00  traffic spike ×5 (flash sale)');
  for (const d of decisions.slice(0, 40)) timeline.push(`${clock(d.t_s)}  ${d.controller} ${d.from} → ${d.to}: ${d.message}`);
  p99s.sort((a, b) => a - b);
  const p99 = p99s[Math.floor(p99s.length * 0.99)] ?? 0;
  const errorRate = totalArrivals > 0 ? totalErrors / totalArrivals : 0;
  const hw = (x: number) => (options.replications > 1 ? x * 0.04 : NaN);
  return {
    name: kind.name,
    timeseries: { columns, rows },
    ...(kind.target !== undefined ? { autoscalers: [{ service: 'web', metric: 'cpu', unit: '% of request', limit: CPU_LIMIT_PCT, scraper: 'metrics-server' }] } : {}),
    decisions,
    timeline,
    headline: {
      p99Ms: { mean: p99, halfWidth: hw(p99) },
      errorRate: { mean: errorRate, halfWidth: hw(errorRate) },
      costUsd: { mean: cumulative, halfWidth: hw(cumulative) },
      lostRevenueUsd: { mean: lostRevenue, halfWidth: hw(lostRevenue) },
    },
    p99Max: p99,
    errorRate,
  };
}

function clock(t_s: number): string {
  const s = Math.floor(t_s + 6 * 3600) % 86400;
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Builds the fixture; strategies are ranked as the CLI ranks them (SLO met, cost, p99). */
export function buildReportInput(options: FixtureOptions = {}): ReportInput {
  const o = { strategies: 3, hours: 24, intervalS: 10, replications: 5, drop: [], ...options };
  const sloMs = 500;
  const built = KINDS.slice(0, Math.max(1, Math.min(o.strategies, KINDS.length))).map((kind) => {
    const s = strategy(kind, o);
    const latencyMet = s.p99Max < sloMs;
    const errorsMet = s.errorRate < 0.01;
    const { p99Max, errorRate, ...report } = s;
    const slo = [
      { name: `p99 < ${sloMs} ms over the run`, met: latencyMet, detail: latencyMet ? `${Math.round(p99Max)} ms` : `missed by ${Math.round(p99Max - sloMs)} ms at 14:03` },
      { name: 'error rate < 1%', met: errorsMet, detail: `${(errorRate * 100).toFixed(3)}% <failed>` },
    ];
    return { ...report, slo, meetsSlo: latencyMet && errorsMet } satisfies StrategyReport;
  });
  built.sort((a, b) => Number(b.meetsSlo) - Number(a.meetsSlo) || a.headline.costUsd.mean - b.headline.costUsd.mean || a.headline.p99Ms.mean - b.headline.p99Ms.mean);
  return {
    scenario: {
      name: 'black-friday',
      description: 'A day of shopping with a <b>"flash sale"</b> at 14:00 & its aftermath',
      document: {
        name: 'black-friday',
        duration: `${o.hours}h`,
        note: 'text that must stay text: </script><!-- & <b>',
        traffic: { rate: [{ diurnal: { mean: '800/s' } }, { spike: { at: '8h', multiplier: 5, rise: '1m', hold: '10m', decay: '5m' } }] },
        strategies: Object.fromEntries(built.map((s) => [s.name, {}])),
      },
      clockStart: CLOCK_START,
      annotations: SPIKE_T_S < o.hours * 3600 ? [{ t_s: SPIKE_T_S, label: 'traffic spike ×5 (flash sale)' }] : [],
    },
    slo: { latency: [{ percentile: 'p99', thresholdMs: sloMs }], errorRate: 0.01 },
    strategies: built,
    recommended: built.find((s) => s.meetsSlo)?.name,
  };
}
