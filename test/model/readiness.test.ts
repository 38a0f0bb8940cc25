import { describe, expect, test } from 'vitest';
import { Simulation, constant } from '../../src/engine/index.js';
import { CAUSE_REJECTED, Requests, type OutcomeListener } from '../../src/model/requests.js';
import { Service, type ServiceConfig } from '../../src/model/service/service.js';
import { PathRunner } from '../../src/model/path/path-runner.js';
import { CpuStep } from '../../src/model/path/steps.js';
import type { Pod } from '../../src/model/service/pod.js';
import { buildTimeline } from '../../src/report/timeline.js';
import { scenario, simulate } from '../helpers/scenario.js';

const S = 1_000_000;

function oneWorkerService(probeThroughWorkers: boolean, periodSeconds = 10, timeoutSeconds = 1) {
  const sim = new Simulation(1);
  const outcomes: { ok: boolean; cause?: number; at: number }[] = [];
  let arrivals = 0;
  const listener: OutcomeListener = {
    arrived: () => arrivals++,
    succeeded: () => outcomes.push({ ok: true, at: sim.now }),
    failed: (_c, cause) => outcomes.push({ ok: false, cause, at: sim.now }),
  };
  const requests = new Requests(sim, listener, [3600 * S]);
  const config: ServiceConfig = {
    name: 'web',
    template: { cpuRequestMillicores: 1000, memoryRequestBytes: 0, cpuCapMillicores: 1000, workers: 1, queueCapacity: 100, warmupMicros: 0, warmupSlowdown: 1 },
    initialReplicas: 1,
    balancing: 'round-robin',
    imagePull: constant(0),
    containerStart: constant(0),
    probeInitialDelayMicros: 0,
    probePeriodMicros: periodSeconds * S,
    probeSuccessThreshold: 1,
    probeFailureThreshold: 3,
    probeThroughWorkers,
    probeTimeoutMicros: timeoutSeconds * S,
    endpointsPropagationMicros: 1 * S,
    preStopMicros: 0,
    terminationGracePeriodMicros: 30 * S,
    gracefulShutdown: true,
  };
  const runner = new PathRunner(sim, requests);
  const userOperation = runner.addOperation();
  runner.setSteps(userOperation, [new CpuStep(requests, runner.hosts, constant(0), sim.random('work'), true)]);
  const service = new Service(config, sim, requests, runner);
  const transitions: { at: number; notReady: boolean }[] = [];
  let lastNotReady = false;
  service.addListener({
    podChanged(_s, pod: Pod) {
      if (pod.notReady !== lastNotReady) transitions.push({ at: sim.now, notReady: (lastNotReady = pod.notReady) });
    },
  });
  service.startWarm();
  /** A user request of `workMicros` arriving at `at`. */
  const send = (at: number, workMicros: number) =>
    sim.scheduleAt(at, sim.register({ handleEvent: () => service.accept(requests.arrive(0, userOperation, workMicros)) }));
  return { sim, service, requests, outcomes, transitions, send, arrivals: () => arrivals };
}

describe('readiness probes', () => {
  test('httpGet: a worker busy for 60 s fails three probes, the pod leaves the endpoints, and returns at the first answered probe', () => {
    // Probes tick every 10 s from Ready (t = 0). The one worker is held 0–60 s, so the probes
    // at 10, 20, 30 s time out at 11, 21, 31 s: the third makes the pod not ready (31 s) and
    // the endpoint goes 1 s later. A request at 45 s finds no endpoint: 503. The probes at
    // 40 and 50 s fail too; the one at 60 s runs right after the long request (scheduled
    // earlier, so it runs first at 60 s) and is answered 1 ms later: ready at 60.001 s.
    const t = oneWorkerService(true);
    t.send(0, 60 * S);
    t.send(45 * S, 1000);
    t.send(61.5 * S, 1000); // after the endpoint is back (61.001 s)
    t.sim.runUntil(100 * S);
    expect(t.transitions).toEqual([
      { at: 31 * S, notReady: true },
      { at: 60 * S + 1000, notReady: false },
    ]);
    expect(t.service.pods[0].readinessFailures).toBe(1);
    expect(t.outcomes).toEqual([
      { ok: false, cause: CAUSE_REJECTED, at: 45 * S },
      { ok: true, at: 60 * S },
      { ok: true, at: 61.5 * S + 1000 },
    ]);
    expect(t.arrivals()).toBe(3); // probes are not users' requests
    expect(t.requests.inSystem).toBe(0);
  });

  test('a probe still out when the period ticks again: the tick is skipped, as the kubelet does', () => {
    // Period 2 s, timeout 5 s, worker busy 0–60 s: the probe at 2 s fails at 7 s (ticks at 4
    // and 6 s are skipped), the one at 8 s fails at 13 s, the one at 14 s at 19 s: not ready at 19 s.
    const t = oneWorkerService(true, 2, 5);
    t.send(0, 60 * S);
    t.sim.runUntil(30 * S);
    expect(t.transitions).toEqual([{ at: 19 * S, notReady: true }]);
  });

  test('tcpSocket (the default): the same busy worker never makes the pod unready', () => {
    const t = oneWorkerService(false);
    t.send(0, 60 * S);
    t.send(45 * S, 1000);
    t.sim.runUntil(100 * S);
    expect(t.transitions).toEqual([]);
    // The request at 45 s queues behind the long one and is served at 60 s + 1 ms.
    expect(t.outcomes).toEqual([
      { ok: true, at: 60 * S },
      { ok: true, at: 60 * S + 1000 },
    ]);
  });
});

describe('readiness under overload, end to end', () => {
  // Two 1-worker pods of 100 ms requests (capacity 20/s) get 30/s: queues fill to 100
  // (10 s of waiting), so httpGet probes with a 1 s timeout fail and pods flap out of the
  // endpoints; the same scenario with tcpSocket probes never loses a pod.
  const run = (readinessProbe: Record<string, unknown>) =>
    simulate(
      scenario({
        duration: '10m',
        traffic: { rate: { constant: 30 }, classes: { req: { share: 1, cpu: '100ms', timeout: '1h' } } },
        services: { web: { replicas: 2, workers: 1, queueCapacity: 100, resources: { requests: { cpu: '1' } }, readinessProbe } },
      }),
    );
  test('httpGet probes flap pods out of the endpoints; tcpSocket probes do not', () => {
    const http = run({ httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 });
    const tcp = run({ tcpSocket: { port: 8080 }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 });
    const column = (m: typeof http, name: string) => m.model.recorder.rows.map((r) => r[m.model.recorder.columns.indexOf(name)]);
    expect(Math.max(...column(http, 'pods_not_ready'))).toBeGreaterThan(0);
    expect(http.model.services.get('web')!.pods.reduce((n, p) => n + p.readinessFailures, 0)).toBeGreaterThan(0);
    expect(Math.max(...column(tcp, 'pods_not_ready'))).toBe(0);
    const timeline = buildTimeline({ clockStart: '00:00', annotations: [], timeseries: http.model.recorder.timeseries(), decisions: [], p99ThresholdMs: 500 });
    expect(timeline.some((line) => /pods? failed the readiness probe and left the endpoints/.test(line))).toBe(true);
    // Probes are not counted as traffic: both runs see the same arrivals (same seed, same stream).
    expect(http.summary.requests).toBe(tcp.summary.requests);
  });
});
