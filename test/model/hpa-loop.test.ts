import { describe, expect, test } from 'vitest';
import { buildModel } from '../../src/scenario/build.js';
import { scenario } from '../helpers/scenario.js';

const hpa = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web' },
  spec: { minReplicas: 2, maxReplicas: 20, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
};

/** A step from 10/s to 200/s at 5 min against 2 pods of 1 core; constant start-up times. */
function stepScenario(seed: number) {
  return scenario({
    duration: '10m',
    seed,
    metricsInterval: '1s',
    traffic: { rate: { step: { at: '5m', from: 10, to: 200 } }, classes: { req: { share: 1, cpu: '20ms', timeout: '10s' } } },
    services: {
      web: {
        replicas: 2,
        workers: 8,
        resources: { requests: { cpu: '1' } },
        startup: { imagePull: '10s', containerStart: '2s' },
        readinessProbe: { initialDelaySeconds: 0, periodSeconds: 10 },
        endpointsPropagationDelay: '1s',
        hpa,
      },
    },
  });
}

describe('HPA control loop and metrics pipeline', () => {
  test('reaction to a step: decision within housekeeping + resolution + sync of the step; pods serve pull + start + propagation later', () => {
    const model = buildModel(stepScenario(1), new Map());
    model.run();
    const step = 300;
    const firstUp = model.log.decisions.find((d) => d.to > d.from)!;
    expect(firstUp).toBeDefined();
    // The first sample that includes post-step CPU reaches the HPA at most 10 s (kubelet) + 15 s (metrics-server)
    // + 15 s (sync) after the step, and only after it.
    expect(firstUp.t_s).toBeGreaterThan(step);
    expect(firstUp.t_s).toBeLessThanOrEqual(step + 10 + 15 + 15);
    // New pods: image pull 10 s + container start 2 s + first probe at 0 s + 1 s propagation = 13 s to take traffic.
    const { columns, rows } = model.recorder.timeseries();
    const ready = columns.indexOf('pods_ready');
    const t = columns.indexOf('t_s');
    const firstMore = rows.find((r) => r[ready] > 2)!;
    // pods_ready counts Ready pods (before propagation): 12 s after the decision, within the 1 s row.
    expect(firstMore[t] - firstUp.t_s).toBeGreaterThanOrEqual(12);
    expect(firstMore[t] - firstUp.t_s).toBeLessThanOrEqual(13);
  });

  test('determinism holds with the HPA on: same seed ⇒ identical decisions and series; other seed ⇒ different', () => {
    const run = (seed: number) => {
      const m = buildModel(stepScenario(seed), new Map());
      m.run();
      return JSON.stringify([m.log.decisions, m.recorder.timeseries().rows]);
    };
    expect(run(5)).toBe(run(5));
    expect(run(6)).not.toBe(run(5));
  });
});

describe('graceful vs abrupt termination', () => {
  const downscale = (graceful: boolean) =>
    scenario({
      duration: '3m',
      traffic: { rate: { constant: 100 }, classes: { req: { share: 1, cpu: '200ms', timeout: '30s' } } },
      services: {
        web: {
          replicas: 10,
          workers: 4,
          resources: { requests: { cpu: '4' } },
          gracefulShutdown: graceful,
          preStopSeconds: graceful ? 5 : 0,
          terminationGracePeriodSeconds: 30,
          endpointsPropagationDelay: '2s',
        },
      },
    });

  for (const graceful of [true, false]) {
    test(`scaling 10 → 4 pods under load: ${graceful ? 'zero' : 'some'} pod_terminated errors when ${graceful ? 'draining' : 'exiting at once'}`, () => {
      const model = buildModel(downscale(graceful), new Map());
      const web = model.services.get('web')!;
      model.sim.schedule(60e6, model.sim.register({ handleEvent: () => web.scaleTo(4) }));
      model.run();
      const terminated = model.recorder.failuresByCause[2];
      if (graceful) expect(terminated).toBe(0);
      else expect(terminated).toBeGreaterThan(0);
    });
  }
});
