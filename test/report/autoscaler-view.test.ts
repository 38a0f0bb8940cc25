import { describe, expect, test } from 'vitest';
import { buildModel } from '../../src/scenario/build.js';
import { buildChartSpecs } from '../../src/report/charts/charts.js';
import { autoscalerViews } from '../../src/report/autoscaler-views.js';
import type { ReportInput } from '../../src/report/report-input.js';
import { scenario } from '../helpers/scenario.js';

const STEP_S = 300;

/** A step from 10/s to 200/s at 5 min against 2 pods of 1 core (CPU saturates); a metrics-server scraping every `resolution`. */
function stepScenario(resolution: string) {
  return scenario({
    duration: '10m',
    seed: 3,
    metricsInterval: '1s',
    metricsServer: { metricResolution: resolution, kubeletHousekeepingInterval: '1s' },
    kubeControllerManager: { horizontalPodAutoscalerSyncPeriod: '1s' },
    traffic: { rate: { step: { at: `${STEP_S}s`, from: 10, to: 200 } }, classes: { req: { share: 1, cpu: '20ms', timeout: '10s' } } },
    services: {
      web: {
        replicas: 2,
        workers: 8,
        resources: { requests: { cpu: '1' } },
        hpa: {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: 'web' },
          spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 20, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
        },
      },
    },
  });
}

/** The autoscaler chart's rows for one run: what the HPA read and the true value, by time (ms of day 0). */
function autoscalerRows(resolution: string) {
  const s = stepScenario(resolution);
  const model = buildModel(s, new Map());
  model.run();
  const input: ReportInput = {
    scenario: { name: 'step', document: {}, clockStart: '00:00', annotations: [{ t_s: STEP_S, label: 'traffic steps from 10/s to 200/s' }] },
    strategies: [
      {
        name: 'hpa',
        timeseries: model.recorder.timeseries(),
        decisions: model.log.decisions,
        timeline: [],
        headline: { p99Ms: { mean: 1, halfWidth: NaN }, errorRate: { mean: 0, halfWidth: NaN }, costUsd: { mean: 1, halfWidth: NaN }, lostRevenueUsd: { mean: 0, halfWidth: NaN } },
        slo: [],
        meetsSlo: true,
        autoscalers: autoscalerViews(s),
      },
    ],
  };
  const spec = buildChartSpecs(input).find((c) => c.name === 'autoscaler-web')!.spec as unknown as { datasets: Record<string, Record<string, number>[]> };
  return { rows: spec.datasets.autoscaler, timeseries: model.recorder.timeseries() };
}

/** Seconds from the step until `key` first leaves the target's tolerance band above (55% of request). */
function crossing(rows: Record<string, number>[], key: 'read' | 'true'): number {
  const first = rows.find((r) => r.w === 1 && r.t >= STEP_S * 1000 && r[key] > 55)!;
  return first.t / 1000 - STEP_S;
}

describe('what the autoscaler saw', () => {
  test("the chart's gap between the true CPU and the CPU the HPA read is the metrics pipeline's lag: half to one and a half metric resolutions", () => {
    for (const [resolution, seconds] of [
      ['60s', 60],
      ['15s', 15],
    ] as const) {
      const { rows, timeseries } = autoscalerRows(resolution);
      const trueAt = crossing(rows, 'true');
      const readAt = crossing(rows, 'read');
      // The pods saturate at once; the HPA reads it only once a scrape's window (one resolution) holds
      // more than half of the new CPU, or the next scrape: with 1 s kubelet housekeeping, 1 s syncs and 1 s rows.
      expect(trueAt, resolution).toBeLessThanOrEqual(2);
      expect(readAt - trueAt, resolution).toBeGreaterThanOrEqual(seconds / 2 - 2);
      expect(readAt - trueAt, resolution).toBeLessThanOrEqual(1.5 * seconds + 3);
      // The reading came from a scrape after the step, at most one resolution before the row that shows it.
      const t = timeseries.columns.indexOf('t_s');
      const scraped = timeseries.columns.indexOf('hpa_web_metric_scraped_s');
      const row = timeseries.rows.find((r) => r[t] === STEP_S + readAt + 1)!;
      expect(row[scraped]).toBeGreaterThanOrEqual(STEP_S);
      expect(row[t] - row[scraped]).toBeLessThanOrEqual(seconds + 1);
    }
  });
});
