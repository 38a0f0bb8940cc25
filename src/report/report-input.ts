/**
 * What the charts and the HTML report are drawn from: plain data assembled by the CLI
 * from every strategy's results. Column names carry units (see `timeseries.csv`).
 */
export interface ReportInput {
  scenario: {
    name: string;
    description?: string;
    /** The scenario document as the user wrote it (shown in the report). */
    document: unknown;
    /** Clock time of t = 0, "HH:MM", for axis labels. */
    clockStart: string;
    /** Annotated traffic events (spikes), seconds from the start. */
    annotations: { t_s: number; label: string }[];
  };
  /** SLO thresholds to draw as lines, when the scenario has them. */
  slo?: { latency?: { percentile: string /* "p99" */; thresholdMs: number }[]; errorRate?: number };
  /** Strategies in ranked order (best first); `recommended` marks the one to pick. */
  strategies: StrategyReport[];
  recommended?: string;
}

export interface StrategyReport {
  name: string;
  /** Timeseries as in timeseries.csv: `t_s`, `arrivals_rps`, `completed_rps`, `p50_ms`, `p95_ms`, `p99_ms`,
   *  `errors_<cause>` (counts per interval), `pods_desired`, `pods_ready`, `pods_not_ready`, `pods_starting`, `pods_pending`,
   *  `pods_terminating`, `nodes_ready`, `nodes_provisioning`, `capacity_rps` (what ready pods can serve),
   *  `cpu_utilization_pct`, `queue_length`, `cost_usd`, `cost_cumulative_usd` — any may be missing. */
  timeseries: { columns: string[]; rows: number[][] };
  /** Autoscaler decisions, as in decisions.csv. */
  decisions: { t_s: number; controller: string; from: number; to: number; reason: string; message: string }[];
  /** Narrative lines ("14:00:30 hpa/web 4 → 8 pods: cpu 142% of target 50%"). */
  timeline: string[];
  /** Headline figures: mean and 95% CI half-width (0 or NaN with one replication). */
  headline: {
    p99Ms: Estimate;
    errorRate: Estimate;
    costUsd: Estimate;
    lostRevenueUsd: Estimate;
  };
  /** SLO verdicts, one line each ("p99 < 500 ms in every 5m window: missed by 1,240 ms at 14:03"). */
  slo: { name: string; met: boolean; detail: string }[];
  meetsSlo: boolean;
  /** The strategy's HPAs, for the "what the autoscaler saw" charts. */
  autoscalers?: AutoscalerView[];
}

/** What an HPA scales on, for labels: its first metric (the one `hpa_<service>_metric_*` record). */
export interface AutoscalerView {
  service: string;
  /** "cpu utilization", "pods metric http_requests_per_second". */
  metric: string;
  /** "% of request", "per pod". */
  unit: string;
  /** With a CPU utilization target: the CPU limit as % of the request, which no reading can exceed. */
  limit?: number;
  /** Who scrapes it: "metrics-server" (resource metrics) or "Prometheus" (the others, through an adapter). */
  scraper: string;
}

export interface Estimate {
  mean: number;
  halfWidth: number;
}
