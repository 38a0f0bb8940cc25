import type { Pod } from '../service/pod.js';
import type { PodCpuSample, PodCustomMetrics } from './metrics-pipeline.js';

/**
 * What a control loop scales, as Kubernetes' `/scale` subresource exposes it: a named workload,
 * its size, and the pods it runs. A Deployment (`Service`) is one; so will be the consumers of a
 * queue or a function's concurrency, so that one loop serves every target.
 */
export interface ScaleTarget {
  readonly name: string;
  /** Replicas that count toward its size (not terminating). */
  readonly replicas: number;
  /** Every pod it has created, terminated ones included. */
  readonly pods: readonly Pod[];
  scaleTo(desired: number): void;
}

/** Where an HPA reads its metrics: metrics.k8s.io for CPU, the custom metrics adapter for the rest. */
export interface MetricSource {
  cpuSample(pod: Pod): PodCpuSample | undefined;
  customMetrics(pod: Pod): PodCustomMetrics | undefined;
}
