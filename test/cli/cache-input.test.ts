import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

// The CLI as users run it: the compiled bin (npm test builds first).
const bin = resolve('dist/cli/main.js');

/** Runs the CLI on a scenario with class `page` walking `path`, and `caches`. */
function simulateWithCache(path: unknown[], caches: Record<string, unknown>, key: unknown = { popularity: { zipf: { keys: 100, s: 1 } } }) {
  const cwd = mkdtempSync(join(tmpdir(), 'scalesim-cache-'));
  const scenario = {
    name: 'cache-input',
    duration: '1m',
    traffic: { rate: { constant: 10 }, classes: { page: { share: 1, key: key === 'none' ? undefined : key, path } } },
    services: { app: { replicas: 1 } },
    databases: { main: { instanceClass: 'db.r5.large', queries: { q: { cpu: '1ms' } } } },
    caches,
  };
  writeFileSync(join(cwd, 's.json'), JSON.stringify(scenario));
  const r = spawnSync(process.execPath, [bin, 's.json'], { cwd, encoding: 'utf8' });
  // Each line is `<file>:<line>: <field>: <message>`.
  const lines = r.stderr.trim().split('\n').map((l) => l.replace(/^\S+\.(?:json|yaml):\d+: /, ''));
  return { code: r.status, stderr: r.stderr, lines, wroteResults: existsSync(join(cwd, 'results')) };
}

const read = (cache: Record<string, unknown>) => ({ cache: { onMiss: [{ db: { query: 'q' } }], ...cache } });

test('bad cache settings: exit 2, one line per problem naming the field, nothing written', () => {
  const r = simulateWithCache([read({})], {
    products: { ttl: '0s', ttlJitter: 1.5, maxmemory: '1Gi', evictionPolicy: 'volatile-ttl', nodeType: 'cache.x9.huge', shards: 0 },
  });
  expect(r.code).toBe(2);
  expect(r.wroteResults).toBe(false);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const field of ['ttl', 'ttlJitter', 'evictionPolicy', 'nodeType', 'shards'])
    expect(r.lines.some((l) => l.startsWith(`caches.products.${field}:`)), field).toBe(true);
  expect(r.lines.some((l) => l.startsWith('caches.products.evictionPolicy:') && l.includes('"volatile-ttl"'))).toBe(true);
});

test('a declared hit ratio with a TTL or a capacity is refused by name: they would be ignored', () => {
  const r = simulateWithCache([read({})], { products: { declaredHitRatio: 0.9, ttl: '5m', maxEntries: 100 } });
  expect(r.code).toBe(2);
  expect(r.lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^caches\.products\.ttl: a declared hit ratio ignores keys, TTLs and capacity/),
      expect.stringMatching(/^caches\.products\.maxEntries: a declared hit ratio ignores keys, TTLs and capacity/),
    ]),
  );
});

test('a maxmemory without an entry size, and a local cache given server settings, are refused by name', () => {
  const r = simulateWithCache([read({ name: 'a' })], { a: { maxmemory: '1Gi' }, b: { local: true, nodeType: 'cache.r6g.large', shards: 3 } });
  expect(r.code).toBe(2);
  expect(r.lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^caches\.a\.entrySize: expected the memory one key takes/),
      expect.stringMatching(/^caches\.b\.nodeType: a local cache has no server/),
      expect.stringMatching(/^caches\.b\.shards: a local cache has no server/),
    ]),
  );
});

test('a read without its miss block and a write without its steps: each named', () => {
  const r = simulateWithCache([{ cache: {} }, { cache: { write: 'invalidate' } }, { cache: { write: 'invalidate', steps: [{ cpu: '1ms' }], onMiss: [{ cpu: '1ms' }] } }], { products: {} });
  expect(r.code).toBe(2);
  expect(r.wroteResults).toBe(false);
  expect(r.lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^traffic\.classes\.page\.path\[0\]\.cache\.onMiss: expected the steps that load the value on a miss/),
      expect.stringMatching(/^traffic\.classes\.page\.path\[1\]\.cache\.steps: expected the write's own steps/),
      expect.stringMatching(/^traffic\.classes\.page\.path\[2\]\.cache\.onMiss: a write has no miss/),
    ]),
  );
});

test('a cache step naming no cache, a query missing inside a miss block, a class without a key: each named', () => {
  const r = simulateWithCache([read({ name: 'nope' }), { cache: { onMiss: [{ db: { query: 'missing' } }] } }], { products: {} }, 'none');
  expect(r.code).toBe(2);
  expect(r.wroteResults).toBe(false);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^traffic\.classes\.page\.path\[0\]\.cache\.name: expected one of the caches \(products\), got "nope"/),
      expect.stringMatching(/^traffic\.classes\.page\.path\[1\]\.cache\.onMiss\[0\]\.db\.query: expected one of main's queries \(q\), got "missing"/),
      expect.stringMatching(/^traffic\.classes\.page\.path\[0\]\.cache: a cache looks up the request's key: give class page a `key`/),
    ]),
  );
});
