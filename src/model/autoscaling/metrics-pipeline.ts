import type { EventHandler, Simulation } from '../../engine/index.js';
import type { Pod } from '../service/pod.js';
import type { MetricSource, ScaleTarget } from './scale-target.js';

export interface MetricsPipelineConfig {
  /** cAdvisor housekeeping: how often the kubelet refreshes a container's CPU counter (default 10 s). */
  readonly kubeletHousekeepingMicros: number;
  /** metrics-server `--metric-resolution`: how often it scrapes the kubelets (default 15 s). */
  readonly metricResolutionMicros: number;
  /** Prometheus scrape interval for application metrics (default 15 s). */
  readonly customScrapeMicros: number;
  /** Window of the adapter's `rate(...)` for per-pod request rates (default 1 m). */
  readonly customRateWindowMicros: number;
}

/** A pod's CPU as metrics-server reports it: a rate over the window between two kubelet readings. */
export interface PodCpuSample {
  /** End of the window [s]. */
  timestampS: number;
  windowS: number;
  cpuMillicores: number;
  /** When metrics-server scraped it [s]: from then on the HPA can read it. */
  scrapedAtS: number;
}

/** A pod's application metrics at the last Prometheus scrape, as the adapter serves them. */
export interface PodCustomMetrics {
  requestsPerSecond: number;
  inFlight: number;
  queueLength: number;
  /** Over the rate window (NaN until two scrapes are in it): requests that got a worker and their total wait [µs]. */
  started: number;
  queueWaitMicros: number;
  /** Over the rate window: requests completed and their total time from arrival to response [µs]. */
  completed: number;
  latencyMicros: number;
  /** When Prometheus scraped them [s]. */
  scrapedAtS: number;
}

interface PodReadings {
  // Latest kubelet reading (refreshed every housekeeping interval).
  kubeletAt: number;
  kubeletCpu: number;
  // The reading metrics-server used at its previous scrape.
  scrapedAt: number;
  scrapedCpu: number;
  cpuSample?: PodCpuSample;
  // Prometheus: ring of scrapes (time and the pod's counters) for rate().
  prom: number[][];
  custom?: PodCustomMetrics;
}

const HOUSEKEEPING = 0;
const METRICS_SERVER = 1;
const PROMETHEUS = 2;

/**
 * What stands between a pod's real CPU use and the number an HPA sees: the kubelet refreshes
 * its counters every housekeeping interval, metrics-server scrapes them every resolution and
 * reports the rate between its last two readings, and the HPA reads that at its own sync.
 * Each stage runs on its own clock with a seeded phase, so the age of what the HPA sees
 * varies as in a real cluster; a new pod has no CPU sample until metrics-server has read it twice.
 */
export class MetricsPipeline implements EventHandler, MetricSource {
  private readonly readings = new Map<Pod, PodReadings>();
  private readonly event: number;

  constructor(
    private readonly sim: Simulation,
    private readonly service: ScaleTarget,
    readonly config: MetricsPipelineConfig,
  ) {
    this.event = sim.register(this);
  }

  start(): void {
    const random = this.sim.random(`metrics:${this.service.name}`);
    const c = this.config;
    this.sim.schedule(Math.floor(random() * c.kubeletHousekeepingMicros), this.event, HOUSEKEEPING);
    this.sim.schedule(Math.floor(random() * c.metricResolutionMicros), this.event, METRICS_SERVER);
    this.sim.schedule(Math.floor(random() * c.customScrapeMicros), this.event, PROMETHEUS);
  }

  handleEvent(stage: number): void {
    const c = this.config;
    if (stage === HOUSEKEEPING) {
      this.housekeeping();
      this.sim.schedule(c.kubeletHousekeepingMicros, this.event, HOUSEKEEPING);
    } else if (stage === METRICS_SERVER) {
      this.scrape();
      this.sim.schedule(c.metricResolutionMicros, this.event, METRICS_SERVER);
    } else {
      this.prometheus();
      this.sim.schedule(c.customScrapeMicros, this.event, PROMETHEUS);
    }
  }

  /** metrics.k8s.io: the latest CPU sample of a pod, if metrics-server has one. */
  cpuSample(pod: Pod): PodCpuSample | undefined {
    return this.readings.get(pod)?.cpuSample;
  }

  /** Prometheus adapter: the pod's application metrics at the last scrape. */
  customMetrics(pod: Pod): PodCustomMetrics | undefined {
    return this.readings.get(pod)?.custom;
  }

  private running(pod: Pod): boolean {
    return pod.phase === 'Ready' || pod.phase === 'Terminating';
  }

  private housekeeping(): void {
    const now = this.sim.now;
    for (const pod of this.service.pods) {
      if (pod.phase === 'Terminated') {
        this.readings.delete(pod);
        continue;
      }
      if (!this.running(pod)) continue;
      pod.advance();
      let r = this.readings.get(pod);
      if (!r) {
        r = { kubeletAt: now, kubeletCpu: pod.cpuUsage, scrapedAt: -1, scrapedCpu: 0, prom: [] };
        this.readings.set(pod, r);
      }
      r.kubeletAt = now;
      r.kubeletCpu = pod.cpuUsage;
    }
  }

  private scrape(): void {
    for (const [, r] of this.readings) {
      if (r.scrapedAt >= 0 && r.kubeletAt > r.scrapedAt) {
        const window = r.kubeletAt - r.scrapedAt;
        r.cpuSample = { timestampS: r.kubeletAt / 1e6, windowS: window / 1e6, cpuMillicores: (r.kubeletCpu - r.scrapedCpu) / window, scrapedAtS: this.sim.now / 1e6 };
      }
      if (r.kubeletAt !== r.scrapedAt) {
        r.scrapedAt = r.kubeletAt;
        r.scrapedCpu = r.kubeletCpu;
      }
    }
  }

  private prometheus(): void {
    const now = this.sim.now;
    const window = this.config.customRateWindowMicros;
    for (const pod of this.service.pods) {
      if (!this.running(pod)) continue;
      const r = this.readings.get(pod);
      if (!r) continue;
      // The counters an app exports: [time, received, started, queue wait µs, completed, latency µs].
      r.prom.push([now, pod.received, pod.started, pod.queueWaitMicros, pod.completed, pod.latencyMicros]);
      while (r.prom.length > 2 && r.prom[1][0] <= now - window) r.prom.shift();
      // Gauges are read at the scrape; like rate(), the windowed figures need two samples (NaN until then).
      const ring = r.prom;
      r.custom = {
        requestsPerSecond: (windowDelta(ring, 1) * 1e6) / (now - ring[0][0]),
        inFlight: pod.outstanding,
        queueLength: pod.queued,
        started: windowDelta(ring, 2),
        queueWaitMicros: windowDelta(ring, 3),
        completed: windowDelta(ring, 4),
        latencyMicros: windowDelta(ring, 5),
        scrapedAtS: now / 1e6,
      };
    }
  }
}

/** Increase of counter `i` over the scrapes in the window; NaN with a single scrape. */
function windowDelta(ring: readonly number[][], i: number): number {
  return ring.length >= 2 ? ring[ring.length - 1][i] - ring[0][i] : NaN;
}
