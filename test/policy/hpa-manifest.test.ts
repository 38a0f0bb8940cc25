import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { computeHpaDecision } from '../../src/policy/hpa/index.js';
import { parseHpaManifest, parseQuantity } from '../../src/scenario/hpa-manifest.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/hpa/${name}`, import.meta.url), 'utf8');

describe('parseQuantity', () => {
  test.each([
    // text, milli-value (rounded up like MilliValue), approximate
    ['500m', 500, 0.5],
    ['100', 100_000, 100],
    ['1k', 1_000_000, 1000],
    ['2Gi', 2 * 1024 ** 3 * 1000, 2 * 1024 ** 3], // 2 × 2^30 bytes, ×1000 milli
    ['0.05', 50, 0.05],
    ['1.5', 1500, 1.5],
    ['1e3', 1_000_000, 1000],
    ['250u', 1, 0.00025], // 0.25 milli rounds up to 1, as MilliValue()
    ['.5', 500, 0.5],
  ] as const)('%s', (text, milliValue, approximate) => {
    const q = parseQuantity(text);
    expect(q?.milliValue).toBe(milliValue);
    expect(q?.approximate).toBeCloseTo(approximate, 12);
  });

  test('numbers as YAML gives them', () => {
    expect(parseQuantity(50)?.milliValue).toBe(50_000);
    expect(parseQuantity(0.5)?.milliValue).toBe(500);
  });

  test.each(['high', '1.2.3', '5 m', '', '1KB', 'Mi'])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe('parseHpaManifest', () => {
  test('the seeds\' manifest (min 2, max 10, cpu 50%) parses', () => {
    const result = parseHpaManifest(fixture('seeds-hpa.yaml'), 'seeds-hpa.yaml');
    expect(result).toEqual({
      ok: true,
      hpa: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'my-web-app-hpa' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'my-web-app' },
          minReplicas: 2,
          maxReplicas: 10,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        },
      },
    });
  });

  test('the parsed manifest drives the policy', () => {
    const result = parseHpaManifest(fixture('seeds-hpa.yaml'), 'seeds-hpa.yaml');
    if (!result.ok) throw new Error('fixture should parse');
    const pod = (name: string) => ({
      metadata: { name },
      status: { phase: 'Running' as const, startTime: 0, conditions: [{ type: 'Ready', status: 'True' as const, lastTransitionTime: 10 }] },
      containers: [{ name: 'app', resources: { requests: { cpu: 500 } } }],
    });
    const sample = { timestamp: 995, windowSeconds: 15, containers: { app: { cpu: 400 } } };
    const decision = computeHpaDecision({
      hpa: result.hpa,
      currentReplicas: 2,
      pods: [pod('a'), pod('b')],
      metrics: { resource: { a: sample, b: sample } },
      now: 1000,
    });
    expect(decision.desiredReplicas).toBe(4); // 800·100 // 1000 = 80% of 50% → ceil(1.6 × 2) = 4; legacy cap max(4, 4) = 4
  });

  test('the broken seeds manifest names every field', () => {
    const result = parseHpaManifest(fixture('seeds-hpa-broken.yaml'), 'hpa.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = result.issues.map((i) => `${i.path}: ${i.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'hpa.yaml: spec: unknown field "targetCPUUtilizationPercentage" (allowed: scaleTargetRef, minReplicas, maxReplicas, metrics, behavior) (line 14)',
        'hpa.yaml: spec.metrics[0].resource.target.averageUtilization: expected an integer percentage, got "high" (line 21)',
        'hpa.yaml: spec.metrics[1].type: expected one of Resource, ContainerResource, Pods, Object, External, got "Prometheus" (line 22)',
        'hpa.yaml: spec.maxReplicas: must be ≥ minReplicas (2), got 1 (line 13)',
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  test('maxReplicas below minReplicas says both numbers', () => {
    const text = fixture('seeds-hpa.yaml').replace('maxReplicas: 10', 'maxReplicas: 1');
    const result = parseHpaManifest(text, 'hpa.yaml');
    expect(result).toEqual({ ok: false, issues: [{ path: 'hpa.yaml: spec.maxReplicas', message: 'must be ≥ minReplicas (2), got 1 (line 12)' }] });
  });

  test('several documents: the one HPA is picked, quantities converted', () => {
    const result = parseHpaManifest(fixture('queue-custom-metric-hpa.yaml'), 'app.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.hpa.metadata).toEqual({ name: 'my-app-hpa' });
    expect(result.hpa.spec.metrics).toEqual([
      { type: 'Pods', pods: { metric: { name: 'queue_length_total' }, target: { type: 'AverageValue', averageValue: 50_000 } } }, // 50 → 50000 milli
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: 512 * 1024 * 1024 } } }, // 512Mi → bytes
      {
        type: 'External',
        external: { metric: { name: 'sqs_messages_visible', selector: { matchLabels: { queue: 'orders' } } }, target: { type: 'AverageValue', averageValue: 500 } }, // 500m → 500 milli
      },
    ]);
    expect(result.hpa.spec.behavior).toEqual({
      scaleDown: { stabilizationWindowSeconds: 120, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      scaleUp: { selectPolicy: 'Min', tolerance: 0.05 },
    });
    expect('status' in result.hpa).toBe(false);
  });

  test('cpu averageValue becomes millicores', () => {
    const text = fixture('seeds-hpa.yaml').replace('type: Utilization\n        averageUtilization: 50', 'type: AverageValue\n        averageValue: "1.5"');
    const result = parseHpaManifest(text, 'hpa.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.hpa.spec.metrics?.[0]).toEqual({ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: 1500 } } });
  });

  test('two HPAs in one file without a target to choose by is an error', () => {
    const text = `${fixture('seeds-hpa.yaml')}\n---\n${fixture('seeds-hpa.yaml')}`;
    expect(parseHpaManifest(text, 'hpa.yaml')).toEqual({
      ok: false,
      issues: [{ path: 'hpa.yaml', message: 'expected exactly one HorizontalPodAutoscaler, found 2 (document 1 of 2, document 2 of 2); put each in its own file' }],
    });
  });

  test('a multi-document file without an HPA lists the kinds it found', () => {
    const result = parseHpaManifest('kind: Deployment\n---\nkind: Service\n', 'app.yaml');
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'app.yaml', message: 'expected a HorizontalPodAutoscaler among the 2 objects, found none (kinds: "Deployment" (document 1 of 2), "Service" (document 2 of 2))' }],
    });
  });

  test('errors in the second document are prefixed with its number', () => {
    const text = `kind: Deployment\n---\n${fixture('seeds-hpa.yaml').replace('minReplicas: 2', 'minReplicas: -1')}`;
    const result = parseHpaManifest(text, 'app.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]).toEqual({ path: 'app.yaml: document 2: spec.minReplicas', message: 'must be ≥ 0, got -1 (line 13)' });
  });

  test('autoscaling/v1 is refused with a hint', () => {
    const result = parseHpaManifest(fixture('seeds-hpa.yaml').replace('autoscaling/v2', 'autoscaling/v1'), 'hpa.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].message).toMatch(/^expected "autoscaling\/v2", got "autoscaling\/v1" \(convert it first/);
  });

  test('upstream validation rules', () => {
    const withMetric = (metric: string) => fixture('seeds-hpa.yaml').replace(/ {2}metrics:\n[\s\S]*$/, `  metrics:\n${metric}`);
    const messages = (text: string) => {
      const r = parseHpaManifest(text, 'h.yaml');
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message.replace(/ \(line \d+\)$/, '')}`);
    };
    expect(messages(withMetric('  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 50\n        averageValue: 500m\n'))).toEqual([
      'h.yaml: spec.metrics[0].resource.target.averageValue: may not set both a target raw value and a target utilization',
    ]);
    expect(messages(withMetric('  - type: Pods\n    pods:\n      metric:\n        name: qps\n      target:\n        type: Value\n        value: 10\n'))).toEqual([
      'h.yaml: spec.metrics[0].pods.target.averageValue: required: a Pods metric needs a positive target averageValue',
    ]);
    expect(messages(withMetric('  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: AverageValue\n        averageValue: "0"\n'))).toEqual([
      'h.yaml: spec.metrics[0].resource.target.averageValue: must be positive, got "0"',
    ]);
    expect(messages(withMetric('  - type: Resource\n    pods: {}\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 50\n'))).toEqual([
      'h.yaml: spec.metrics[0]: unknown field "pods" (a Resource metric sets only type and resource) (allowed: type, resource)',
    ]);
    expect(messages(fixture('seeds-hpa.yaml').replace('minReplicas: 2', 'minReplicas: 0'))).toEqual([
      'h.yaml: spec.minReplicas: minReplicas 0 needs at least one Object or External metric to support scaling to zero replicas',
    ]);
    expect(messages(`${fixture('seeds-hpa.yaml')}  behavior:\n    scaleUp:\n      policies:\n      - type: Percent\n        value: 0\n        periodSeconds: 3600\n`)).toEqual([
      'h.yaml: spec.behavior.scaleUp.policies[0].value: must be ≥ 1, got 0',
      'h.yaml: spec.behavior.scaleUp.policies[0].periodSeconds: must be ≤ 1800, got 3600',
    ]);
  });

  test('YAML syntax errors carry line and column', () => {
    const result = parseHpaManifest('spec:\n  maxReplicas: [1, 2\n', 'bad.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].path).toMatch(/^bad\.yaml:\d+:\d+$/);
  });

  test('an empty file', () => {
    expect(parseHpaManifest('# nothing\n', 'empty.yaml')).toEqual({ ok: false, issues: [{ path: 'empty.yaml', message: 'expected a HorizontalPodAutoscaler manifest, the file is empty' }] });
  });
});
