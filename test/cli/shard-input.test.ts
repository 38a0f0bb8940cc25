import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

// The CLI as users run it: the compiled bin (npm test builds first).
const bin = resolve('dist/cli/main.js');

/**
 * Runs the CLI on a scenario whose `main` database has `shards`; class `keyed` has 1,000
 * uniform keys, class `bare` none and calls `back`, whose operation queries `main` too.
 */
function simulateWithShards(shards: Record<string, unknown>, bareQueries = false) {
  const cwd = mkdtempSync(join(tmpdir(), 'scalesim-shard-'));
  const scenario = {
    name: 'shard-input',
    duration: '1m',
    traffic: {
      target: 'app',
      rate: { constant: 10 },
      classes: {
        keyed: { share: 0.5, key: { popularity: { uniform: { keys: 1000 } } }, path: [{ db: { query: 'q' } }] },
        bare: { share: 0.5, path: bareQueries ? [{ db: { query: 'q' } }] : [{ call: { service: 'back' } }] },
      },
    },
    services: { app: { replicas: 1 }, back: { replicas: 1, operations: { lookup: { path: [{ db: { query: 'q' } }] } } } },
    databases: { main: { instanceClass: 'db.r5.large', queries: { q: { cpu: '1ms' } }, shards } },
  };
  writeFileSync(join(cwd, 's.json'), JSON.stringify(scenario));
  const r = spawnSync(process.execPath, [bin, 's.json'], { cwd, encoding: 'utf8' });
  // Each line is `<file>:<line>: <field>: <message>`; the field and message are checked.
  const lines = r.stderr.trim().split('\n').map((l) => l.replace(/^\S+\.(?:json|yaml):\d+: /, ''));
  return { code: r.status, stderr: r.stderr, lines, wroteResults: existsSync(join(cwd, 'results')) };
}

function expectRefused(r: ReturnType<typeof simulateWithShards>) {
  expect(r.code).toBe(2);
  expect(r.wroteResults).toBe(false);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

test('a shard count, virtual nodes or a resharding target below 1: exit 2, one line each naming the field', () => {
  const r = simulateWithShards({ count: 0, strategy: 'consistent', virtualNodes: 0, resharding: { at: '30s', to: 0 } });
  expectRefused(r);
  expect(r.lines).toEqual([
    'databases.main.shards.count: expected at least 1 shard, got 0',
    'databases.main.shards.virtualNodes: expected at least 1 virtual node per shard, got 0',
    'databases.main.shards.resharding.to: expected at least 1 shard, got 0',
  ]);
});

test('range boundaries out of order, a resharding that does not add shards: each refused by name', () => {
  const r = simulateWithShards({ count: 4, strategy: 'range', ranges: [500, 200, 100], resharding: { at: '30s', to: 4 } });
  expectRefused(r);
  expect(r.lines).toEqual(
    expect.arrayContaining([
      'databases.main.shards.ranges: expected increasing boundaries, got [500,200,100]',
      'databases.main.shards.resharding.to: expected more shards than count (4), got 4',
    ]),
  );
});

test('a range boundary outside the key space, and a class without a key whose call reaches the sharded database', () => {
  const r = simulateWithShards({ count: 3, strategy: 'range', ranges: [100, 5000] });
  expectRefused(r);
  expect(r.lines).toEqual(
    expect.arrayContaining([
      'services.back.operations.lookup.path[0].db: database main is sharded: expected class bare, whose requests reach this step, to have a `key` in key space "class:keyed" to pick a shard by, got none',
      'databases.main.shards.ranges[1]: expected a key inside key space "class:keyed" (0 < key < 1000), got 5000',
    ]),
  );
  expect(r.lines).toHaveLength(2);
});

test('a db step on a sharded database in a class without a key is refused at the step', () => {
  const r = simulateWithShards({ count: 2 }, true);
  expectRefused(r);
  expect(r.lines).toEqual(['traffic.classes.bare.path[0].db: database main is sharded: expected class bare, whose requests reach this step, to have a `key` in key space "class:keyed" to pick a shard by, got none']);
});

test('a shard key naming no key space nor class is refused', () => {
  const r = simulateWithShards({ count: 2, key: 'customer_id' });
  expectRefused(r);
  expect(r.lines).toContain('databases.main.shards.key: expected a key space or the name of a class with a key (class:keyed, keyed), got "customer_id"');
});
