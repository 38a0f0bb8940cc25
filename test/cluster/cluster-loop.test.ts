import { describe, expect, it } from 'vitest';
import { runStrategy } from '../../src/scenario/run.js';
import { scenario, simulate } from '../helpers/scenario.js';

const traffic = { rate: { constant: '5/s' }, classes: { req: { share: 1, cpu: '10ms' } } };
const web = (replicas: number) => ({
  replicas,
  resources: { requests: { cpu: '500m', memory: '512Mi' } },
  startup: { imagePull: '10s', containerStart: '2s' },
});
const pool = (extra: object) => ({ instanceType: 'm5.large', maxNodes: 10, instanceLaunch: '20s', nodeReady: '40s', ...extra });

const burst = { rate: { product: [{ constant: '20/s' }, { spike: { at: '2m', multiplier: 10, hold: '5m' } }] }, classes: { req: { share: 1, cpu: '40ms' } } };
const hpa = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 20, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
};

describe('nodes, scheduler and cluster autoscaler in a run', () => {
  it('pods that do not fit stay Pending; CA adds a node within one scan; pods start when it is Ready', () => {
    // One m5.large holds 3 pods of 500m (1930m − 125m DaemonSets = 1805m), so 3 of 6 are Pending.
    const { model } = simulate(scenario({ duration: '5m', traffic, services: { web: web(6) }, cluster: { nodePools: { general: pool({ minNodes: 1 }) } } }));
    const [scaleUp] = model.log.decisions.filter((d) => d.reason === 'TriggeredScaleUp');
    expect(scaleUp.controller).toBe('cluster-autoscaler/general');
    expect([scaleUp.from, scaleUp.to]).toEqual([1, 2]);
    expect(scaleUp.t_s).toBeLessThan(10); // the first scan, at a phase in [0, 10 s)
    const node = model.cluster!.nodes[1];
    // launch 20 s + join 40 s, both constant here
    expect((node.readyAt - node.createdAt) / 1e6).toBeCloseTo(60, 9);
    const late = model.services.get('web')!.pods.filter((p) => p.node === 1);
    expect(late).toHaveLength(3);
    for (const pod of late) {
      expect(pod.scheduledAt).toBe(node.readyAt);
      // image pull 10 s (new node) + container start 2 s; the first probe succeeds at once
      expect((pod.readyAt - pod.scheduledAt) / 1e6).toBeCloseTo(12, 9);
    }
  });

  it('shows Pending pods and provisioning nodes in the time series', () => {
    const result = runStrategy('x', scenario({ duration: '3m', metricsInterval: '10s', traffic, services: { web: web(6) }, cluster: { nodePools: { general: pool({ minNodes: 1 }) } } }), new Map());
    const { columns, rows } = result.timeseries;
    const col = (n: string) => columns.indexOf(n);
    expect(rows[0][col('pods_pending')]).toBe(3);
    expect(rows[0][col('nodes_provisioning')] + rows[1][col('nodes_provisioning')]).toBeGreaterThan(0);
    expect(rows.at(-1)![col('nodes_ready')]).toBe(2);
    expect(rows.at(-1)![col('pods_pending')]).toBe(0);
    expect(result.summary.peakNodes).toBe(2);
  });

  it('gives up on a node not Ready within max-node-provision-time and backs the group off for 5 min', () => {
    const s = scenario({
      duration: '40m',
      traffic,
      services: { web: web(4) },
      cluster: { nodePools: { general: pool({ minNodes: 1, nodeReady: '20m' }) }, clusterAutoscaler: { maxNodeProvisionTime: '15m' } },
    });
    const { model } = simulate(s);
    const ca = model.log.decisions.filter((d) => d.controller.startsWith('cluster-autoscaler'));
    const first = ca.find((d) => d.reason === 'TriggeredScaleUp')!;
    const timeout = ca.find((d) => d.reason === 'ScaleUpTimedOut')!;
    // abandoned at the first scan at or after 15 min from the scale-up (scans every 10 s)
    expect(timeout.t_s - first.t_s).toBeGreaterThanOrEqual(900 - 1e-6);
    expect(timeout.t_s - first.t_s).toBeLessThan(910);
    const retry = ca.filter((d) => d.reason === 'TriggeredScaleUp')[1];
    expect(retry.t_s - timeout.t_s).toBeGreaterThanOrEqual(300 - 1e-6);
    expect(retry.t_s - timeout.t_s).toBeLessThan(310);
    expect(model.services.get('web')!.countPods({ pending: 0, starting: 0, ready: 0, notReady: 0, terminating: 0 }).pending).toBe(1);
  });

  it('removes nodes unneeded for 10 min, draining gracefully (no failed requests)', () => {
    // 4 nodes, 2 pods spread by LeastAllocated: 2 empty nodes and 2 nodes at (125 + 500)/1930 = 32%.
    const { model, summary } = simulate(scenario({ duration: '30m', traffic, services: { web: web(2) }, cluster: { nodePools: { general: pool({ minNodes: 1, initialNodes: 4 }) } } }));
    const removals = model.log.decisions.filter((d) => d.reason === 'ScaleDown' || d.reason === 'ScaleDownEmpty');
    expect(removals.map((d) => d.reason).sort()).toEqual(['ScaleDown', 'ScaleDownEmpty', 'ScaleDownEmpty']);
    const firstScan = model.log.decisions.length > 0 ? removals[0].t_s - 600 : NaN;
    expect(firstScan).toBeGreaterThanOrEqual(0);
    expect(firstScan).toBeLessThan(10); // unneeded since the first scan; removed exactly 10 min later
    for (const r of removals) expect(r.t_s).toBe(removals[0].t_s);
    expect(model.cluster!.count('Ready')).toBe(1);
    expect(model.services.get('web')!.replicas).toBe(2);
    expect(summary.errors).toBe(0);
  });

  it('does not scale down within scale-down-delay-after-add of the last scale-up', () => {
    // A 10x burst makes the HPA add pods and CA add nodes; after it, pods go and nodes are unneeded
    // within minutes (unneeded time 1m), but none may go until 20 min after the last scale-up.
    const { model } = simulate(
      scenario({
        duration: '45m',
        traffic: burst,
        services: { web: { ...web(2), hpa } },
        cluster: { nodePools: { general: pool({ minNodes: 1 }) }, clusterAutoscaler: { scaleDownUnneededTime: '1m', scaleDownDelayAfterAdd: '20m' } },
      }),
    );
    const ups = model.log.decisions.filter((d) => d.reason === 'TriggeredScaleUp');
    const downs = model.log.decisions.filter((d) => d.reason.startsWith('ScaleDown'));
    expect(ups.length).toBeGreaterThan(0);
    expect(downs.length).toBeGreaterThan(0);
    const lastUp = ups.at(-1)!.t_s;
    for (const d of downs) expect(d.t_s - lastUp).toBeGreaterThanOrEqual(1200 - 1e-6);
    expect(downs[0].t_s - lastUp).toBeLessThan(1210);
  });

  it('is deterministic with the cluster on, and the seed changes provisioning times', () => {
    const s = scenario({ duration: '20m', traffic: burst, services: { web: { ...web(2), hpa } }, cluster: { nodePools: { general: { instanceType: 'm5.large', minNodes: 1, maxNodes: 10 } } } });
    const a = JSON.stringify(runStrategy('x', s, new Map()));
    const b = JSON.stringify(runStrategy('x', s, new Map()));
    expect(a).toBe(b);
    expect(a).toContain('TriggeredScaleUp');
    const c = JSON.stringify(runStrategy('x', { ...s, seed: 2 }, new Map()));
    expect(c).not.toBe(a);
  });
});
