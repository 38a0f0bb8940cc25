import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

// HPA manifests as found in real repositories, through the CLI as users run it (the compiled bin).
const bin = resolve('dist/cli/main.js');
const manifests = resolve('test/fixtures/hpa');

interface ServiceOptions {
  /** YAML lines under the service, indented by 4 (hpa, containerName, customMetrics, …). */
  fields: string;
  rate?: string;
  cpu?: string;
  workers?: number;
  cpuRequest?: string;
  duration?: string;
}

/** A one-service scenario: 1 pod of 500m request / 1 core limit; 40/s of 50 ms saturates it (a scale-up is due). */
function scenario(service: string, o: ServiceOptions): string {
  return `name: hpa-input
duration: ${o.duration ?? '3m'}
seed: 3
traffic:
  rate: { constant: ${o.rate ?? '40/s'} }
  classes: { req: { share: 1, cpu: ${o.cpu ?? '50ms'}, timeout: 10s } }
services:
  ${service}:
    replicas: 1
    workers: ${o.workers ?? 4}
    resources: { requests: { cpu: "${o.cpuRequest ?? '500m'}" }, limits: { cpu: "${o.cpuRequest ?? '1'}" } }
${o.fields}
`;
}

/** A fresh folder with the scenario and copies of the named manifests beside it. */
function workspace(text: string, files: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'scalesim-hpa-'));
  writeFileSync(join(dir, 'scenario.yaml'), text);
  for (const file of files) copyFileSync(join(manifests, file), join(dir, file));
  return dir;
}

function simulate(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A run refuses with exit 2, these lines (after the file:line prefix) and no stack trace, and writes nothing; `validate` prints the
 * same lines (the same loader: checked once per test below, where it crashed before).
 */
function expectRefused(dir: string, lines: (string | RegExp)[], command: 'run' | 'validate' = 'run'): string[] {
  const r = simulate(dir, command === 'run' ? ['scenario.yaml', '--out', 'out'] : ['validate', 'scenario.yaml']);
  expect(r.code).toBe(2);
  // Lines from the scenario carry its file and line ("scenario.yaml:12: "); the field and message follow.
  const stderr = r.stderr.trim().split('\n').map((line) => line.replace(/^scenario\.yaml:\d+: /, ''));
  for (const line of lines) expect(stderr).toContainEqual(typeof line === 'string' ? line : expect.stringMatching(line));
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(join(dir, 'out'))).toBe(false);
  return stderr;
}

/** Runs the scenario: its decisions as rows of [t_s, controller, from, to, reason, message], and its time series with the header. */
function runDecisions(dir: string): { stderr: string; rows: string[][]; timeseries: string[][] } {
  const r = simulate(dir, ['scenario.yaml', '--out', 'out', '--no-report']);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(0);
  const read = (file: string) =>
    readFileSync(join(dir, 'out', 'hpa-input', 'baseline', file), 'utf8')
      .trim()
      .split('\n')
      .map(splitCsvLine);
  return { stderr: r.stderr, rows: read('decisions.csv').slice(1), timeseries: read('timeseries.csv') };
}

function splitCsvLine(line: string): string[] {
  return [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"'));
}

const scaleUps = (rows: string[][]) => rows.filter((r) => Number(r[3]) > Number(r[2]));

const inlineHpa = (spec: string) => `    hpa:
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: { name: web }
${spec}`;
const cpuMetric = '        metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } }]';

describe('an HPA is accepted only when it can act on its service', () => {
  test('an HPA without spec, maxReplicas or scaleTargetRef is an exit-2 line naming the field (it crashed with exit 3)', () => {
    const noSpec = workspace(scenario('web', { fields: inlineHpa('') }));
    expectRefused(noSpec, ['services.web.hpa.spec: required: expected a mapping with scaleTargetRef, maxReplicas and metrics'], 'validate');
    expectRefused(noSpec, ['services.web.hpa.spec: required: expected a mapping with scaleTargetRef, maxReplicas and metrics']);
    expectRefused(workspace(scenario('web', { fields: inlineHpa('      spec: null') })), ['services.web.hpa.spec: expected a mapping with scaleTargetRef, maxReplicas and metrics, got null']);
    expectRefused(workspace(scenario('web', { fields: inlineHpa(`      spec:\n        minReplicas: 2\n${cpuMetric}`) })), [
      'services.web.hpa.spec.scaleTargetRef: required: expected a mapping with kind and name (the Deployment to scale)',
      'services.web.hpa.spec.maxReplicas: required: expected an integer ≥ 1',
    ]);
    expectRefused(workspace(scenario('storefront', { fields: '    hpa: { file: no-spec-hpa.yaml }' }), ['no-spec-hpa.yaml']), [
      'services.storefront.hpa.file: no-spec-hpa.yaml: spec: required: expected a mapping with scaleTargetRef, maxReplicas and metrics (line 2)',
    ]);
  });

  test("scaleTargetRef must be the service's own Deployment: another name or a StatefulSet is refused", () => {
    const spec = (ref: string) => inlineHpa(`      spec:\n        scaleTargetRef: ${ref}\n        maxReplicas: 5\n${cpuMetric}`);
    expectRefused(workspace(scenario('web', { fields: spec('{ apiVersion: apps/v1, kind: Deployment, name: my-web-app }') })), [
      'services.web.hpa.spec.scaleTargetRef.name: expected "web" (the service this HPA is attached to), got "my-web-app"',
    ]);
    expectRefused(workspace(scenario('web', { fields: spec('{ apiVersion: extensions/v1beta1, kind: Deployment, name: web }') })), ['services.web.hpa.spec.scaleTargetRef.apiVersion: expected "apps/v1", got "extensions/v1beta1"']);
    expectRefused(workspace(scenario('storefront', { fields: '    hpa: { file: statefulset-hpa.yaml }' }), ['statefulset-hpa.yaml']), [
      /^services\.storefront\.hpa\.file: statefulset-hpa\.yaml: spec\.scaleTargetRef\.kind: expected "Deployment" \(.*StatefulSet.*not modelled\), got "StatefulSet" \(line 8\)$/,
    ]);
  });

  test("a ContainerResource metric must name the pods' container: the service's name by default, or containerName", () => {
    const files = ['sidecar-container-resource.yaml'];
    expectRefused(workspace(scenario('storefront', { fields: '    hpa: { file: sidecar-container-resource.yaml }' }), files), [
      `services.storefront.hpa.file: sidecar-container-resource.yaml: spec.metrics[0].containerResource.container: expected "storefront" (the pods' container: services.storefront.containerName, default the service's name), got "application" (line 17)`,
    ]);
    expectRefused(workspace(scenario('storefront', { fields: '    containerName: App_1' })), [
      'services.storefront.containerName: expected a container name (lowercase letters, digits and "-", at most 63, as Kubernetes requires), got "App_1"',
    ]);
    // Named as in the Deployment, the same manifest scales the service up under the saturating load.
    const { rows } = runDecisions(workspace(scenario('storefront', { fields: '    containerName: application\n    hpa: { file: sidecar-container-resource.yaml }' }), files));
    expect(scaleUps(rows)[0]).toEqual(expect.arrayContaining(['hpa/storefront', '1', expect.stringMatching(/^cpu of container application 200% of target 60% → 4;/)]));
  });

  test('a Pods, Object or External metric the simulation cannot serve is refused at validate, each with its field', () => {
    const lines = expectRefused(workspace(scenario('triton-inference', { fields: '    hpa: { file: triton-hpa.yaml }' }), ['triton-hpa.yaml']), [
      /^services\.triton-inference\.hpa\.file: triton-hpa\.yaml: spec\.metrics\[0\]\.pods\.metric\.name: expected a metric the simulation serves: map it to a signal in services\.triton-inference\.customMetrics \(signals: requestsPerSecond, inFlight, queueLength, queueWait, latency; built-in names: .*\), got "nv_inference_request_duration_us" \(line 18\)$/,
      /^services\.triton-inference\.hpa\.file: triton-hpa\.yaml: spec\.metrics\[1\]\.external\.metric\.name: .*got "nv_inference_queue_duration_us" \(line 25\)$/,
    ]);
    expect(lines).toHaveLength(2);
    // An Object metric on an Ingress: the simulation measures only the service it scales.
    expectRefused(workspace(scenario('storefront', { fields: '    customMetrics: { requests-per-second: requestsPerSecond }\n    hpa: { file: ingress-object.yaml }' }), ['ingress-object.yaml']), [
      'services.storefront.hpa.file: ingress-object.yaml: spec.metrics[0].object.describedObject: expected the Service or Deployment "storefront" (the simulation measures only the service it scales), got Ingress "main-route" (line 19)',
    ]);
    // … or on another Service.
    const otherService = inlineHpa(
      `      spec:\n        scaleTargetRef: { kind: Deployment, name: web }\n        maxReplicas: 5\n        metrics: [{ type: Object, object: { describedObject: { kind: Service, name: api }, metric: { name: requests_per_second }, target: { type: Value, value: "100" } } }]`,
    );
    expectRefused(workspace(scenario('web', { fields: otherService })), ['services.web.hpa.spec.metrics[0].object.describedObject: expected the Service or Deployment "web" (the simulation measures only the service it scales), got Service "api"']);
  });

  test("a metric selector must match the mapped series' labels; a time signal needs its unit", () => {
    const mapping = (queue: string) => `    customMetrics:\n      nv_inference_request_duration_us: { signal: latency, unit: us }\n      nv_inference_queue_duration_us: ${queue}\n    hpa: { file: triton-hpa.yaml }`;
    expectRefused(workspace(scenario('triton-inference', { fields: mapping('{ signal: queueWait, unit: us }') }), ['triton-hpa.yaml']), [
      "services.triton-inference.hpa.file: triton-hpa.yaml: spec.metrics[1].external.metric.selector: expected a selector that matches the simulated series' labels (none) (set them in services.triton-inference.customMetrics.nv_inference_queue_duration_us.labels), got {model=resnet50} (line 27)",
    ]);
    expectRefused(workspace(scenario('triton-inference', { fields: mapping('{ signal: queueWait, unit: us, labels: { model: bert } }') }), ['triton-hpa.yaml']), [
      /spec\.metrics\[1\]\.external\.metric\.selector: expected a selector that matches the simulated series' labels \{model=bert\}/,
    ]);
    expectRefused(workspace(scenario('triton-inference', { fields: mapping('queueWait') }), ['triton-hpa.yaml']), [
      'services.triton-inference.customMetrics.nv_inference_queue_duration_us: queueWait is a time: give its unit, e.g. { signal: queueWait, unit: ms } (one of s, ms, us, µs, ns), got "queueWait"',
    ]);
    expectRefused(workspace(scenario('triton-inference', { fields: mapping('queue_depth') }), ['triton-hpa.yaml']), [
      /^services\.triton-inference\.customMetrics\.nv_inference_queue_duration_us: expected a signal name \(requestsPerSecond, inFlight, queueLength, queueWait, latency\) or \{ signal, unit, scale, labels \}, got "queue_depth"$/,
    ]);
  });
});

describe('HPA manifests as found in real repositories', () => {
  test('autoscaling/v2beta2 is read as is and the HPA scales up under a load that needs it', () => {
    const dir = workspace(scenario('express-app', { fields: '    hpa: { file: express-v2beta2.yaml }' }), ['express-v2beta2.yaml']);
    expect(simulate(dir, ['validate', 'scenario.yaml']).code).toBe(0);
    const up = scaleUps(runDecisions(dir).rows)[0];
    // 1 pod at its 1-core limit is 200% of its 500m request: ceil(200/70 × 1) = 3.
    expect(up.slice(1, 4)).toEqual(['hpa/express-app', '1', '3']);
    expect(up[5]).toMatch(/^cpu 200% of target 70% → 3;/);
  });

  test('v1 and v2beta1 stay refused with the hint to convert', () => {
    expectRefused(workspace(scenario('storefront', { fields: '    hpa: { file: v2beta1-hpa.yaml }' }), ['v2beta1-hpa.yaml']), [
      /^services\.storefront\.hpa\.file: v2beta1-hpa\.yaml: apiVersion: expected "autoscaling\/v2", got "autoscaling\/v2beta1" \(convert it first, e\.g\. kubectl convert;/,
    ]);
  });

  test('a file with several documents: the HPA that targets the service is used, other kinds skipped, and the CLI says which', () => {
    const dir = workspace(scenario('checkout-api', { fields: '    hpa: { file: shop-bundle.yaml }' }), ['shop-bundle.yaml']);
    const note = 'services.checkout-api.hpa.file: using HorizontalPodAutoscaler "checkout-api" (document 4 of 4)';
    const checked = simulate(dir, ['validate', 'scenario.yaml']);
    expect(checked.code).toBe(0);
    expect(checked.stdout.split('\n')).toContain(note);
    const { stderr, rows } = runDecisions(dir);
    expect(stderr.split('\n')).toContain(note);
    // Document 4's target, 50% (document 3's HPA, for "cart", says 60%): ceil(200/50 × 1) = 4.
    expect(scaleUps(rows)[0].slice(1, 4)).toEqual(['hpa/checkout-api', '1', '4']);
    expect(scaleUps(rows)[0][5]).toMatch(/^cpu 200% of target 50% → 4;/);
  });

  test('a file with no HPA for the service lists the targets it has', () => {
    expectRefused(workspace(scenario('storefront', { fields: '    hpa: { file: shop-bundle.yaml }' }), ['shop-bundle.yaml']), [
      'services.storefront.hpa.file: shop-bundle.yaml: expected a HorizontalPodAutoscaler whose scaleTargetRef names "storefront", found only: "cart-hpa" → Deployment "cart" (document 3 of 4), "checkout-api" → Deployment "checkout-api" (document 4 of 4)',
    ]);
  });

  test('a `kind: List` (kubectl get hpa -o yaml) is read item by item', () => {
    const checked = simulate(workspace(scenario('storefront', { fields: '    hpa: { file: kubectl-get-hpa-list.yaml }' }), ['kubectl-get-hpa-list.yaml']), ['validate', 'scenario.yaml']);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('services.storefront.hpa.file: using HorizontalPodAutoscaler "storefront" (items[1] of the List in document 1 of 1)\n');
  });

  test('a Helm template gets one line saying to render it first', () => {
    const lines = expectRefused(workspace(scenario('storefront', { fields: '    hpa: { file: chart-hpa.yaml }' }), ['chart-hpa.yaml']), [/^services\.storefront\.hpa\.file: chart-hpa\.yaml:1: a Helm or Go template .*helm template/]);
    expect(lines).toHaveLength(1);
  });
});

describe('a strategy patches an HPA loaded from a file', () => {
  const base = scenario('my-web-app', { fields: '    hpa: { file: seeds-hpa.yaml }' });
  const target25 = `strategies:
  as-is: {}
  target-25:
    services:
      my-web-app:
        hpa:
          spec:
            minReplicas: 1
            metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 25 } } }]
`;

  test('the patch applies to the loaded manifest: the rest of the file stays, the patched fields change', () => {
    const dir = workspace(base + target25, ['seeds-hpa.yaml']);
    const r = simulate(dir, ['scenario.yaml', '--out', 'out', '--no-report']);
    expect(r.code).toBe(0);
    const decisions = (strategy: string) => readFileSync(join(dir, 'out', 'hpa-input', strategy, 'decisions.csv'), 'utf8').trim().split('\n').slice(1).map(splitCsvLine);
    // The file as is: minReplicas 2 lifts the single pod to 2 first, then cpu 200% of 50%.
    const asIs = decisions('as-is');
    expect(asIs[0].slice(2, 4)).toEqual(['1', '2']);
    expect(asIs.find((d) => d[5].startsWith('cpu '))![5]).toMatch(/^cpu 200% of target 50%/);
    // Patched to minReplicas 1 and a 25% target (maxReplicas 10 still from the file): ceil(200/25 × 1) = 8,
    // held to max(2 × 1, 4) = 4 by the legacy scale-up limit, then 8, then the file's maxReplicas, 10.
    const patched = decisions('target-25');
    expect(patched.filter((d) => Number(d[3]) > Number(d[2])).map((d) => [d[2], d[3]])).toEqual([
      ['1', '4'],
      ['4', '8'],
      ['8', '10'],
    ]);
    expect(patched.find((d) => d[2] === '1' && d[3] === '4')![5]).toMatch(/^cpu 200% of target 25% → 8; ScaleUpLimit/);
  });

  test("a bad patched value is the scenario's error, at the patch's line; the file's own fields keep the file's name", () => {
    const broken = `${target25}  broken:
    services:
      my-web-app:
        hpa:
          spec:
            maxReplicas: 0
            maxReplica: 5
`;
    const dir = workspace(base + broken, ['seeds-hpa.yaml']);
    const r = simulate(dir, ['validate', 'scenario.yaml']);
    expect(r.code).toBe(2);
    const text = base + broken;
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(r.stderr.trim().split('\n')).toEqual([
      `scenario.yaml:${lineOf('maxReplicas: 0')}: strategies.broken → services.my-web-app.hpa.spec.maxReplicas: must be ≥ 1, got 0`,
      `scenario.yaml:${lineOf('maxReplica: 5')}: strategies.broken → services.my-web-app.hpa.spec: unknown field "maxReplica" (allowed: scaleTargetRef, minReplicas, maxReplicas, metrics, behavior)`,
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // A patch that leaves the file's scaleTargetRef pointing elsewhere: named in the file.
    const other = workspace(scenario('web', { fields: '    hpa: { file: seeds-hpa.yaml, spec: { maxReplicas: 20 } }' }), ['seeds-hpa.yaml']);
    expectRefused(other, [/^services\.web\.hpa\.file: seeds-hpa\.yaml: spec\.scaleTargetRef\.name: expected "web" .*got "my-web-app"/], 'validate');
  });
});

describe('custom metrics mapped to simulated signals drive the HPA with the right value and unit', () => {
  // 5/s of constant 100 ms on 8 workers with 8 cores: no request waits, so every response takes exactly 100 ms.
  const inference = (fields: string) => scenario('triton-inference', { fields, rate: '5/s', cpu: '100ms', workers: 8, cpuRequest: '8', duration: '2m' });

  test("Triton's nv_inference_request_duration_us, mapped to latency in µs: 100000 against 50k → ceil(2 × 1 pod) = 2", () => {
    const fields = `    customMetrics:
      nv_inference_request_duration_us: { signal: latency, unit: us }
      nv_inference_queue_duration_us: { signal: queueWait, unit: us, labels: { model: resnet50 } }
    hpa: { file: triton-hpa.yaml }`;
    const { rows, timeseries } = runDecisions(workspace(inference(fields), ['triton-hpa.yaml']));
    const up = scaleUps(rows)[0];
    expect(up.slice(1, 4)).toEqual(['hpa/triton-inference', '1', '2']);
    // Nothing waits for a worker: the queue-duration External metric is 0 and proposes nothing higher.
    expect(up[5]).toMatch(/^pods metric nv_inference_request_duration_us average 100000 of target 50000 → 2, external metric nv_inference_queue_duration_us 0 of target 200000 → 0;/);
    // The value the HPA saw, in the time series, is the same at every sync.
    const [header, ...series] = timeseries;
    const column = header.indexOf('hpa_triton-inference_metric_value');
    expect(new Set(series.map((r) => r[column]).filter((v) => v !== ''))).toEqual(new Set(['100000']));
  });

  test('the same signal in ms: 100 against 50 → 2', () => {
    const fields = `    customMetrics: { request_latency_ms: { signal: latency, unit: ms } }
    hpa:
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: { name: triton-inference }
      spec:
        scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: triton-inference }
        maxReplicas: 4
        metrics: [{ type: Pods, pods: { metric: { name: request_latency_ms }, target: { type: AverageValue, averageValue: "50" } } }]`;
    const up = scaleUps(runDecisions(workspace(inference(fields))).rows)[0];
    expect(up.slice(1, 4)).toEqual(['hpa/triton-inference', '1', '2']);
    expect(up[5]).toMatch(/^pods metric request_latency_ms average 100 of target 50 → 2;/);
  });

  test('queue wait in ms for a pod and in µs for the service: pairs of 100 ms requests on one worker wait 0 and 100 ms, a mean of 50 ms', () => {
    // A pair every 5 s, at the same instant: the first starts at once, the second after the first's 100 ms.
    // A 15 s scrape could split a pair only by falling in the 100 ms between their starts.
    const trace = `t_s\n${Array.from({ length: 24 }, (_, i) => `${5 * i}\n${5 * i}\n`).join('')}`;
    const text = `name: hpa-input
duration: 2m
seed: 3
traffic:
  trace: { file: pairs.csv, format: timestamps }
  classes: { req: { share: 1, cpu: 100ms, timeout: 10s } }
services:
  worker:
    replicas: 1
    workers: 1
    resources: { requests: { cpu: "1" } }
    customMetrics:
      queue_wait_ms: { signal: queueWait, unit: ms }
      queue_wait_us: { signal: queueWait, unit: us }
    hpa:
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: { name: worker }
      spec:
        scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: worker }
        maxReplicas: 4
        metrics:
        - { type: Pods, pods: { metric: { name: queue_wait_ms }, target: { type: AverageValue, averageValue: "25" } } }
        - { type: External, external: { metric: { name: queue_wait_us }, target: { type: Value, value: "100000" } } }
`;
    const dir = workspace(text);
    writeFileSync(join(dir, 'pairs.csv'), trace);
    const up = scaleUps(runDecisions(dir).rows)[0];
    expect(up.slice(1, 4)).toEqual(['hpa/worker', '1', '2']);
    // 50 / 25 → ceil(2 × 1) = 2; the service-wide 50000 µs / 100000 → ceil(0.5 × 1) = 1.
    expect(up[5]).toMatch(/^pods metric queue_wait_ms average 50 of target 25 → 2, external metric queue_wait_us 50000 of target 100000 → 1;/);
  });
});
