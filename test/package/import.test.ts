import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'scalesim-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// As a user's project sees the installed package: node_modules/scalesim → this repository (its package.json `exports`
// and the compiled dist/, which `npm test` builds first). Run by plain node, outside vitest's module resolution.
const USER_SCRIPT = `
import { computeHpaDecision, formatIssue, loadScenarioFile, parseHpaManifest, runStrategy } from 'scalesim';

const bad = await loadScenarioFile('bad.json');
const loaded = await loadScenarioFile('tiny.json');
if (!loaded.ok) throw new Error(loaded.issues.map(formatIssue).join('\\n'));
const { name, scenario } = loaded.value.strategies[0];
const result = runStrategy(name, scenario, loaded.value.traces);

const manifest = parseHpaManifest(\`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 2
  maxReplicas: 10
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } }]
\`, 'hpa.yaml');
if (!manifest.ok) throw new Error(JSON.stringify(manifest.issues));
const pod = (name) => ({
  metadata: { name },
  status: { phase: 'Running', startTime: 0, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 10 }] },
  containers: [{ name: 'app', resources: { requests: { cpu: 500 } } }],
});
const sample = { timestamp: 995, windowSeconds: 15, containers: { app: { cpu: 400 } } };
const decision = computeHpaDecision({ hpa: manifest.hpa, currentReplicas: 2, pods: [pod('a'), pod('b')], metrics: { resource: { a: sample, b: sample } }, now: 1000 });

console.log(JSON.stringify({ bad: bad.ok ? 'accepted' : bad.issues.map(formatIssue), strategy: name, requests: result.summary.requests, durationS: result.durationS, desiredReplicas: decision.desiredReplicas }));
`;

test("the package imports by its name ('scalesim'): load a scenario, run it, ask the HPA policy", () => {
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'scalesim'), 'dir');
  writeFileSync(join(dir, 'user.mjs'), USER_SCRIPT);
  // 10 req/s for 60 s against 2 pods: a Poisson count near 600 (σ ≈ 24.5).
  const tiny = {
    name: 'tiny',
    duration: '60s',
    seed: 1,
    traffic: { rate: { constant: 10 }, classes: { req: { share: 1, cpu: { exponential: { mean: '10ms' } }, timeout: '5s' } } },
    services: { web: { replicas: 2, resources: { requests: { cpu: '500m' } } } },
  };
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tiny));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...tiny, duration: 'soon' }));

  const out = JSON.parse(execFileSync(process.execPath, ['user.mjs'], { cwd: dir, encoding: 'utf8' }));
  expect(out.bad).toHaveLength(1);
  expect(out.bad[0]).toMatch(/^bad\.json:1: duration: /);
  expect(out.strategy).toBe('baseline');
  expect(out.durationS).toBe(60);
  expect(out.requests).toBeGreaterThan(600 - 5 * 25);
  expect(out.requests).toBeLessThan(600 + 5 * 25);
  // 400m of 500m = 80% against a 50% target: ceil(2 × 80 / 50) = 4 pods.
  expect(out.desiredReplicas).toBe(4);
});
