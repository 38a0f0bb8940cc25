import { describe, expect, test } from 'vitest';
import { buildModel } from '../../src/scenario/build.js';
import { autoscalerViews } from '../../src/report/autoscaler-views.js';
import { buildTimeline } from '../../src/report/timeline.js';
import { scenario } from '../helpers/scenario.js';

/** A step from 10/s to 200/s at 5 min against 2 pods of 1 core, an HPA syncing every second on 50% CPU. */
const step = scenario({
  duration: '10m',
  seed: 3,
  clockStart: '14:00',
  metricsInterval: '1s',
  kubeControllerManager: { horizontalPodAutoscalerSyncPeriod: '1s' },
  traffic: { rate: { step: { at: '5m', from: 10, to: 200 } }, classes: { req: { share: 1, cpu: '20ms', timeout: '10s' } } },
  services: {
    web: {
      replicas: 2,
      workers: 8,
      resources: { requests: { cpu: '1' } },
      startup: { imagePull: '10s', containerStart: '2s' },
      hpa: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
      },
    },
  },
});

function run() {
  const model = buildModel(step, new Map());
  model.run();
  const timeline = buildTimeline({
    clockStart: '14:00',
    annotations: [{ t_s: 300, label: 'traffic steps from 10/s to 200/s' }],
    timeseries: model.recorder.timeseries(),
    decisions: model.log.decisions,
    holds: model.log.holds,
    autoscalers: autoscalerViews(step),
    p99ThresholdMs: 500,
  });
  return { model, timeline };
}

describe('the timeline of an HPA', () => {
  const { model, timeline } = run();

  test("tells rescales in the words of `kubectl describe hpa`, then the simulator's numbers", () => {
    const rescales = timeline.filter((l) => l.includes(' hpa/web SuccessfulRescale '));
    expect(rescales.length).toBeGreaterThan(0);
    for (const line of rescales) expect(line).toMatch(/^14:0\d:\d\d {2}hpa\/web SuccessfulRescale New size: \d; reason: cpu resource utilization \(percentage of request\) above target — \w+: cpu \d+% of target 50%/);
    // The first sync has no metrics yet: the warnings as kubectl lists them, and the size it kept.
    expect(timeline[0]).toMatch(/^14:00:0\d {2}hpa\/web FailedGetResourceMetric .* \| FailedComputeMetricsReplicas invalid metrics \(1 invalid out of 1\), first error is: .* \(stays at 2\)$/);
    // decisions.csv carries the same events.
    expect(model.log.decisions.filter((d) => d.from !== d.to).every((d) => d.event === `SuccessfulRescale New size: ${d.to}; reason: cpu resource utilization (percentage of request) above target`)).toBe(true);
  });

  test('says when metrics-server first saw the step, at the time it scraped it, before the HPA acted on it', () => {
    const seen = timeline.findIndex((l) => / {2}metrics-server first saw the change for hpa\/web: cpu \d+% of request \(\d+% before it, target 50%\), \d+s after it began$/.test(l));
    expect(seen).toBeGreaterThan(-1);
    const firstRescale = timeline.findIndex((l) => l.includes('SuccessfulRescale'));
    expect(seen).toBeLessThan(firstRescale);
    const after = Number(/, (\d+)s after it began/.exec(timeline[seen])![1]);
    // Within one housekeeping (10 s) and one resolution (15 s) of the step.
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(25);
    expect(timeline[seen].slice(0, 8)).toBe(`14:05:${String(after).padStart(2, '0')}`);
  });

  test('summarises the syncs that changed nothing, so that every sync is told: logged as a decision or counted in a hold', () => {
    const holds = timeline.filter((l) => / {2}hpa\/web: \d+ syncs held at \d pods until 14:\d\d:\d\d: /.test(l));
    expect(holds.length).toBeGreaterThan(0);
    // Until metrics-server has read the pods twice, there is nothing to read.
    expect(holds[0]).toMatch(/^14:00:0\d {2}hpa\/web: \d+ syncs held at 2 pods until 14:00:\d\d: no CPU metrics to read \(FailedGetResourceMetric\)$/);
    // Before the step 10/s on 2 cores is 10% of request: far below the target, held by the downscale stabilization window.
    expect(holds[1]).toMatch(/held at 2 pods until 14:05:0\d: a higher recommendation in the stabilization window \(ScaleDownStabilized\) \(cpu read \d+–\d+% of request, target 50%\)$/);
    // Right after a scale-up the new pods are not ready: upstream counts them as idle, and the size holds.
    expect(holds.some((l) => /held at 4 pods until 14:05:\d\d: new pods not ready yet count as idle \(cpu read 100% of request, target 50%\)$/.test(l))).toBe(true);
    // At maxReplicas (6) after the step.
    expect(holds.some((l) => /held at 6 pods until 14:09:5\d: at maxReplicas \(TooManyReplicas\)/.test(l))).toBe(true);
    const syncs = model.log.holds.reduce((sum, h) => sum + h.syncs, 0) + model.log.decisions.length;
    expect(syncs).toBe(600); // one a second for 10 minutes
  });
});
