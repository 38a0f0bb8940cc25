import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

// Values that parse but make no sense: each is refused before any work, through the CLI as users
// run it (the compiled bin: run `npm run build` first). Exit 2, the field in the line, no stack
// trace, nothing written under --out.

const bin = resolve('dist/cli/main.js');
/** Each case spawns the CLI, which takes seconds on a loaded machine. */
const SLOW = 180_000;

type Json = Record<string, unknown>;

/** A small valid scenario with an HPA on its one service; each test breaks one thing. */
function baseScenario(): Json {
  return {
    name: 'values',
    duration: '2m',
    traffic: { rate: { constant: '10/s' }, classes: { req: { share: 1, cpu: '20ms' } } },
    services: {
      web: {
        replicas: 2,
        hpa: {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          spec: {
            scaleTargetRef: { kind: 'Deployment', name: 'web' },
            maxReplicas: 5,
            metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
          },
        },
      },
    },
  };
}

/** Sets `value` at a dotted path ("services.web.replicas", "traffic.rate.product[1]"), creating objects on the way. */
function set(target: Json, path: string, value: unknown): Json {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Json;
  node[keys[keys.length - 1]] = value;
  return target;
}

function withValue(path: string, value: unknown): Json {
  return set(baseScenario(), path, value);
}

/** Runs `simulate run` on the scenario (an object as JSON, a string as YAML) with --out in a fresh folder. */
function run(scenario: Json | string, args: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'scalesim-values-'));
  const file = join(dir, typeof scenario === 'string' ? 'scenario.yaml' : 'scenario.json');
  writeFileSync(file, typeof scenario === 'string' ? scenario : JSON.stringify(scenario));
  const out = join(dir, 'results');
  const r = spawnSync(process.execPath, [bin, file, '--out', out, '--no-report', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out, dir };
}

/** Exit 2, a line starting with `line` (a string prefix or a pattern) after its file:line, no stack trace, nothing written. */
function expectRefused(r: ReturnType<typeof run>, line: string | RegExp) {
  const lines = r.stderr.trim().split('\n').map((l) => l.replace(/^\S+\.(?:json|yaml):\d+: /, ''));
  const matches = lines.filter((l) => (typeof line === 'string' ? l.startsWith(line) : line.test(l)));
  expect(matches, `stderr:\n${r.stderr}`).toHaveLength(1);
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(r.out)).toBe(false);
}

describe('periods, delays and timeouts', { timeout: SLOW }, () => {
  // Every duration field that repeats or is a deadline must be > 0: at 0 the run used to hang.
  test.each([
    ['metricsInterval', '0s', 'a period > 0'],
    ['kubeControllerManager.horizontalPodAutoscalerSyncPeriod', '0s', 'a period > 0'],
    ['metricsServer.metricResolution', '0s', 'a period > 0'],
    ['metricsServer.kubeletHousekeepingInterval', '0s', 'a period > 0'],
    ['prometheus.scrapeInterval', '0s', 'a period > 0'],
    ['prometheus.rateWindow', '0s', 'a window > 0'],
    ['traffic.classes.req.timeout', '0ms', 'a timeout > 0'],
    ['services.web.readinessProbe.periodSeconds', 0, 'a period > 0'],
    ['services.web.readinessProbe.periodSeconds', 1e-9, 'a period > 0 (at least 1µs)'],
    ['services.web.readinessProbe.timeoutSeconds', 0, 'a timeout > 0'],
    ['metricsInterval', '0.1us', 'a period > 0 (at least 1µs)'],
  ])('%s: %j is refused', (path, value, expected) => {
    expectRefused(run(withValue(path, value)), `${path}: expected ${expected}`);
  });

  test('cluster periods and timeouts: scanInterval and maxNodeProvisionTime > 0', () => {
    const s = withValue('cluster', {
      nodePools: { general: { instanceType: 'm5.large', maxNodes: 3 } },
      clusterAutoscaler: { scanInterval: '0s', maxNodeProvisionTime: 0 },
    });
    const r = run(s);
    expectRefused(r, 'cluster.clusterAutoscaler.scanInterval: expected a period > 0');
    expect(r.stderr).toContain('cluster.clusterAutoscaler.maxNodeProvisionTime: expected a timeout > 0');
  });

  test('delays may be 0 but not negative, and no duration exceeds 2^53 µs', () => {
    expectRefused(run(withValue('services.web.preStopSeconds', -1)), 'services.web.preStopSeconds: expected a duration ≥ 0, got -1');
    expectRefused(run(withValue('services.web.endpointsPropagationDelay', '300000y')), 'services.web.endpointsPropagationDelay: expected a duration like');
    expectRefused(run(withValue('services.web.endpointsPropagationDelay', 1e12)), 'services.web.endpointsPropagationDelay: expected a duration below 2^53 µs');
  });

  test('the HPA sync period of 0 is refused by validate as well', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalesim-values-'));
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(withValue('kubeControllerManager.horizontalPodAutoscalerSyncPeriod', 0)));
    const r = spawnSync(process.execPath, [bin, 'validate', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`${file}:1: kubeControllerManager.horizontalPodAutoscalerSyncPeriod: expected a period > 0 (at least 1µs), got 0`);
  });
});

describe('periods too short for the run', { timeout: SLOW }, () => {
  test('a time series of more than a million rows, or a loop ticking more than ten million times, is refused', () => {
    const year = withValue('duration', '366d');
    expectRefused(run(year), 'metricsInterval: expected at least 31.622s for a 366d run (at most 1,000,000 rows), got "10s"');
    const probes = withValue('services.web.readinessProbe.periodSeconds', 0.00001);
    expectRefused(run(probes), 'services.web.readinessProbe.periodSeconds: expected at least 12µs for a 2m run (at most 10,000,000 probes per pod), got "10µs"');
  });

  test('--duration counts, and a period only one strategy sets is named with its strategy', () => {
    expectRefused(run(baseScenario(), ['--duration', '366d']), 'metricsInterval: expected at least 31.622s for a 366d run');
    const twoStrategies = withValue('strategies', { slow: {}, fast: { kubeControllerManager: { horizontalPodAutoscalerSyncPeriod: '1us' } } });
    expectRefused(run(twoStrategies), 'strategies.fast → kubeControllerManager.horizontalPodAutoscalerSyncPeriod: expected at least 12µs for a 2m run (at most 10,000,000 syncs), got "1µs"');
  });
});

describe('duration: the same rules in the file and in --duration', { timeout: SLOW }, () => {
  test.each([
    ['0s', 'expected a duration > 0, got "0s"'],
    ['367d', 'expected at most 366d (a simulated year; longer runs are refused), got "367d"'],
    ['soon', 'expected a duration like "15m" or "2h", got "soon"'],
  ])('%j', (value, message) => {
    expectRefused(run(withValue('duration', value)), `duration: ${message}`);
    expectRefused(run(baseScenario(), ['--duration', value]), `--duration: ${message}`);
  });

  test('a bare number is seconds in both, and must fit the same bounds', () => {
    expectRefused(run(withValue('duration', 0)), 'duration: expected a duration > 0, got 0');
    expectRefused(run(baseScenario(), ['--duration', '0']), '--duration: expected a duration > 0, got "0"');
    expectRefused(run(withValue('duration', 1e303)), 'duration: expected at most 366d (a simulated year; longer runs are refused), got 1e+303');
    expectRefused(run(baseScenario(), ['--duration', String(366 * 86400 + 1)]), '--duration: expected at most 366d');
  });
});

describe('numbers that overflow', { timeout: SLOW }, () => {
  test('a rate, a CPU or memory quantity, a plain number and an HPA quantity beyond a double are refused at once', () => {
    // YAML reads an unquoted 1e999999999 as Infinity; a quoted one is a string the unit parsers read.
    const yaml = (field: string) =>
      `name: values\nduration: 2m\ntraffic:\n  rate: { constant: 10/s }\n  classes:\n    req: { share: 1, cpu: 20ms }\nservices:\n  web:\n    replicas: 2\n${field}\n`;
    const rate = run(yaml('').replace('10/s', '1e999999999'));
    expectRefused(rate, 'traffic.rate.constant: expected a finite number, got Infinity');
    const digits = run(yaml('').replace('10/s', `"${'9'.repeat(400)}/s"`));
    expectRefused(digits, 'traffic.rate.constant: expected a finite rate');
    const memory = run(yaml('    resources: { requests: { memory: "1e999999999" } }'));
    expectRefused(memory, 'services.web.resources.requests.memory: expected at most 2^53 bytes');
    const cpu = run(yaml(`    resources: { requests: { cpu: "${'9'.repeat(400)}" } }`));
    expectRefused(cpu, 'services.web.resources.requests.cpu: expected at most 2^53 millicores');
    const workers = run(yaml('    workers: .inf'));
    expectRefused(workers, /^services\.web\.workers: .*Infinity/);
    const hpa = baseScenario();
    set(hpa, 'services.web.hpa.spec.metrics', [{ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '1e999999999' } } }]);
    expectRefused(run(hpa), 'services.web.hpa.spec.metrics[0].pods.target.averageValue: must be a finite quantity, got "1e999999999"');
  });
});

describe("Kubernetes' own limits", { timeout: SLOW }, () => {
  test('replicas, the sum of replicas, an HPA maxReplicas and nodes are bounded, and the message says why', () => {
    expectRefused(run(withValue('services.web.replicas', 150_001)), "services.web.replicas: expected at most 150000 (Kubernetes' documented limit of 150,000 pods per cluster), got 150001");
    expectRefused(run(withValue('services.web.hpa.spec.maxReplicas', 200_000)), "services.web.hpa.spec.maxReplicas: expected at most 150000 (Kubernetes' documented limit of 150,000 pods per cluster), got 200000");
    const two = baseScenario();
    set(two, 'services.web.replicas', 100_000);
    set(two, 'services.api', { replicas: 100_000 });
    set(two, 'traffic.target', 'web');
    expectRefused(run(two), 'services: expected at most 150000 replicas over all services');
    const nodes = withValue('cluster', { nodePools: { general: { instanceType: 'm5.large', maxNodes: 5001 } } });
    expectRefused(run(nodes), "cluster.nodePools.general.maxNodes: expected at most 5000 (Kubernetes' documented limit of 5,000 nodes per cluster), got 5001");
    const initial = withValue('cluster', { nodePools: { a: { instanceType: 'm5.large', maxNodes: 5000, initialNodes: 3000 }, b: { instanceType: 'c5.large', maxNodes: 5000, initialNodes: 3000 } } });
    expectRefused(run(initial), 'cluster.nodePools: expected at most 5000 initial nodes over all pools');
  });
});

describe('flags', { timeout: SLOW }, () => {
  test('--seed "" is refused', () => {
    expectRefused(run(baseScenario(), ['--seed', '']), '--seed: expected a whole number or a non-empty string, got ""');
    expectRefused(run(withValue('seed', '')), 'seed: expected a whole number or a non-empty string');
  });

  test('hpa-dryrun --sync-period 0s is refused like the scenario field, and writes no --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalesim-values-'));
    const out = join(dir, 'decisions.csv');
    const r = spawnSync(process.execPath, [bin, 'hpa-dryrun', '--hpa', resolve('test/fixtures/hpa/seeds-hpa.yaml'), '--metrics', resolve('test/fixtures/hpa/recorded-cpu-averaged.csv'), '--sync-period', '0s', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('--sync-period: expected a period > 0 (at least 1µs), got "0s"');
    expect(existsSync(out)).toBe(false);
  });

  test('--replications is bounded even when the runs are empty', () => {
    expectRefused(run(withValue('traffic.rate', { constant: 0 }), ['--replications', '1000000000']), '--replications: expected at most 1000, got "1000000000"');
  });

  test('--check without an slo block is refused before running (nothing written)', () => {
    expectRefused(run(baseScenario(), ['--check']), '--check: the scenario has no `slo` block to check');
  });
});

describe('accepted means what it says', { timeout: SLOW }, () => {
  test('errorRate below 1 is refused with the percent form suggested; "1%" and 0.01 are the same', () => {
    expectRefused(run(withValue('slo', { errorRate: { below: 1 } })), 'slo.errorRate.below: expected a fraction below 1 or a percentage: write "1%" for 1 percent (or "100%" for all), got 1');
    expectRefused(run(withValue('slo', { availability: { atLeast: 99.9 } })), 'slo.availability.atLeast: expected a fraction below 1 or a percentage: write "99.9%" for 99.9 percent, got 99.9');
    expectRefused(run(withValue('traffic.classes.req.conversionRate', 2)), 'traffic.classes.req.conversionRate: expected a fraction below 1 or a percentage: write "2%"');
    expectRefused(run(withValue('kubeControllerManager.horizontalPodAutoscalerTolerance', 10)), 'kubeControllerManager.horizontalPodAutoscalerTolerance: expected a fraction below 1 or a percentage: write "10%"');
    expectRefused(run(withValue('slo', { errorRate: { below: '150%' } })), 'slo.errorRate.below: expected a percentage of at most "100%"');
    for (const below of ['1%', 0.01, '0.1%']) {
      const r = run(withValue('slo', { errorRate: { below } }), ['--quiet', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const verdict = JSON.parse(r.stdout).strategies[0].slo[0];
      expect(verdict.name).toBe(below === '0.1%' ? 'error rate < 0.1% over the run' : 'error rate < 1% over the run');
    }
  });

  test('a spike that cannot do anything is refused, saying what to add', () => {
    const spike = (shape: Json) => withValue('traffic.rate', { product: [{ constant: '10/s' }, { spike: { at: '30s', multiplier: 5, ...shape } }] });
    const message = 'traffic.rate.product[1].spike: expected hold > 0 or decay > 0: without either the spike is over the instant it peaks (add e.g. hold: 1m, or decay: 30s to ease back)';
    expectRefused(run(spike({})), message);
    expectRefused(run(spike({ rise: '10s' })), message);
    expectRefused(run(withValue('traffic.rate', { product: [{ constant: '10/s' }, { spike: { at: '30s', multiplier: 1, hold: '1m' } }] })), 'traffic.rate.product[1].spike.multiplier: expected a multiplier > 1 (1 is no spike), got 1');
    expect(run(spike({ decay: '20s' }), ['--quiet']).code).toBe(0);
  });

  test('a ramp that ends before it starts is refused', () => {
    expectRefused(run(withValue('traffic.rate', { ramp: { from: '1/s', to: '10/s', start: '1m', end: '30s' } })), 'traffic.rate.ramp.end: expected end ≥ start (1m), got "30s"');
  });

  test('a service that receives no traffic is refused; one that a strategy routes to and another removes is fine', () => {
    const two = baseScenario();
    set(two, 'services.admin', { replicas: 1 });
    set(two, 'traffic.target', 'web');
    const r = run(two);
    expectRefused(r, 'services.admin: receives no traffic: no request class enters it and no call reaches it');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);

    // A service reached only by a call from a class's path is routed.
    const called = structuredClone(two);
    set(called, 'services.admin.operations', { audit: { path: [{ cpu: '1ms' }] } });
    set(called, 'traffic.classes.req.cpu', undefined);
    set(called, 'traffic.classes.req.path', [{ cpu: '5ms' }, { call: { service: 'admin' } }]);
    expect(run(called, ['--quiet', '--duration', '1m']).code).toBe(0);

    set(two, 'strategies', { web: { services: { admin: null } }, admin: { traffic: { target: 'admin' }, services: { web: null } } });
    expect(run(two, ['--quiet']).code).toBe(0);
    set(two, 'strategies', { web: {}, admin: { traffic: { target: 'admin' }, services: { web: null } } });
    expectRefused(run(two), 'strategies.web → services.admin: receives no traffic');
  });

  test('an HPA on memory is refused: memory use is not modelled', () => {
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } };
    const inline = withValue('services.web.hpa.spec.metrics', [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }, memory]);
    expectRefused(run(inline), /^services\.web\.hpa\.spec\.metrics\[1\]\.resource\.name: memory metrics are not modelled .*got "memory"$/);
    const container = withValue('services.web.hpa.spec.metrics', [{ type: 'ContainerResource', containerResource: { name: 'memory', container: 'web', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expectRefused(run(container), 'services.web.hpa.spec.metrics[0].containerResource.name: memory metrics are not modelled');

    // The same from a manifest file, named by the file.
    const dir = mkdtempSync(join(tmpdir(), 'scalesim-values-'));
    writeFileSync(
      join(dir, 'hpa.yaml'),
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n  scaleTargetRef: { kind: Deployment, name: web }\n  maxReplicas: 5\n  metrics:\n  - type: Resource\n    resource: { name: memory, target: { type: Utilization, averageUtilization: 70 } }\n',
    );
    const fromFile = withValue('services.web.hpa', { file: 'hpa.yaml' });
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(fromFile));
    const r = spawnSync(process.execPath, [bin, file, '--out', join(dir, 'results')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^services\.web\.hpa\.file: hpa\.yaml: spec\.metrics\[0\]\.resource\.name: memory metrics are not modelled/m);
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });
});

describe('request keys', { timeout: SLOW }, () => {
  test('a key count beyond 50 million, a shared key space of two sizes and a hot set without a rest are refused', () => {
    const zipf = (keys: number, space?: string) => ({ popularity: { zipf: { keys, s: 1 } }, ...(space ? { space } : {}) });
    expectRefused(run(withValue('traffic.classes.req.key', zipf(60_000_000))), 'traffic.classes.req.key.popularity.zipf.keys: expected at most 50,000,000 keys');
    const twoClasses = withValue('traffic.classes', {
      read: { share: 0.9, cpu: '5ms', key: zipf(1000, 'products') },
      write: { share: 0.1, cpu: '5ms', key: { popularity: { uniform: { keys: 2000 } }, space: 'products' } },
    });
    expectRefused(run(twoClasses), 'traffic.classes.write.key.popularity: expected 1000 keys, as class read has in key space "products", got 2000');
    const hot = withValue('traffic.classes.req.key', { popularity: { hotSet: { keys: 1, hotKeys: '10%', hotShare: '90%' } } });
    expectRefused(run(hot), 'traffic.classes.req.key.popularity.hotSet.keys: expected at least 2 keys');
    expect(run(withValue('traffic.classes.req.key', zipf(10_000_000)), ['--quiet']).code).toBe(0);
  });
});

describe('the work estimate', { timeout: SLOW }, () => {
  /** A year at 100/s in two strategies: about 6.3 billion requests. */
  function yearLong(): Json {
    const s = withValue('duration', '366d');
    set(s, 'metricsInterval', '1m');
    set(s, 'traffic.rate', { constant: '100/s' });
    set(s, 'strategies', { two: {}, three: { services: { web: { replicas: 3 } } } });
    return s;
  }

  test('is printed on stderr, one line, before the run; not with --quiet or --json', () => {
    const r = run(baseScenario());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('estimate:'))).toEqual(['estimate: 1,200 simulated requests (1 strategy × 1 replication)']);
    expect(run(baseScenario(), ['--quiet']).stderr).toBe('');
    const json = run(baseScenario(), ['--json']);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout).strategies).toHaveLength(1);
  });

  test('above the limit the run is refused with the estimate, counting strategies and replications', () => {
    expectRefused(run(yearLong()), 'estimate: expected at most 1 billion simulated requests (about ten minutes of one core; shorten the run, or --force runs it anyway), got 6.32 billion (2 strategies × 1 replication)');
    expectRefused(run(yearLong(), ['--strategy', 'two', '--replications', '2', '--quiet']), /^estimate: .*got 6\.32 billion \(1 strategy × 2 replications\)$/);
    // A shorter --duration brings it under the limit: the estimate follows the flag.
    const short = run(yearLong(), ['--duration', '1m', '--quiet']);
    expect(short.code, short.stderr).toBe(0);
  });

  test('--force runs it anyway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalesim-values-'));
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(yearLong()));
    const child = spawn(process.execPath, [bin, file, '--out', join(dir, 'results'), '--force', '--jobs', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    // The estimate line is printed just before the simulation starts; the run itself would take hours.
    await new Promise<void>((done, fail) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('\n')) done();
      });
      child.on('exit', (code) => fail(new Error(`exited ${code} before starting: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(stderr).toBe('estimate: 6.32 billion simulated requests (2 strategies × 1 replication)\n');
  });
});
