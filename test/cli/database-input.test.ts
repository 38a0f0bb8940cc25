import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

// The CLI as users run it: the compiled bin (npm test builds first).
const bin = resolve('dist/cli/main.js');

/** Runs the CLI on a scenario whose `main` database is `database`. */
function simulateWithDatabase(database: Record<string, unknown>) {
  const cwd = mkdtempSync(join(tmpdir(), 'scalesim-db-'));
  const scenario = {
    name: 'db-input',
    duration: '1m',
    traffic: { rate: { constant: 10 }, classes: { q: { share: 1, path: [{ db: { query: 'q' } }] } } },
    services: { app: { replicas: 1 } },
    databases: { main: { queries: { q: { cpu: '1ms' } }, ...database } },
  };
  writeFileSync(join(cwd, 's.json'), JSON.stringify(scenario));
  const r = spawnSync(process.execPath, [bin, 's.json'], { cwd, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr, wroteResults: existsSync(join(cwd, 'results')) };
}

test('bad replica, resize and serverless settings: exit 2, one line per problem naming the field, nothing written', () => {
  const r = simulateWithDatabase({
    instanceClass: { serverless: { minACU: 0.7, maxACU: 300 } },
    readReplicas: { count: 16, routing: 'nearest' },
    resize: { at: '10m', to: 'db.r6g.xlarge' },
  });
  expect(r.code).toBe(2);
  expect(r.wroteResults).toBe(false);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  // Each line is `<file>:<line>: <field>: <message>`; the field and message are checked.
  const lines = r.stderr.trim().split('\n').map((l) => l.replace(/^\S+\.(?:json|yaml):\d+: /, ''));
  expect(lines.some((l) => l.startsWith('databases.main.instanceClass.serverless.minACU: expected a minimum capacity in 0.5-ACU steps'))).toBe(true);
  expect(lines.some((l) => l.startsWith('databases.main.instanceClass.serverless.maxACU:'))).toBe(true);
  expect(lines.some((l) => l.startsWith('databases.main.readReplicas.count:'))).toBe(true);
  expect(lines.some((l) => l.startsWith('databases.main.readReplicas.routing:') && l.includes('"nearest"'))).toBe(true);
});

test('a serverless primary with a resize or without a class for its replicas is refused by name', () => {
  const r = simulateWithDatabase({
    instanceClass: { serverless: { minACU: 2, maxACU: 8 } },
    readReplicas: { count: 1 },
    resize: { at: '10m', to: 'db.r6g.xlarge' },
  });
  expect(r.code).toBe(2);
  expect(r.wroteResults).toBe(false);
  // Each line is `<file>:<line>: <field>: <message>`; the field and message are checked.
  const lines = r.stderr.trim().split('\n').map((l) => l.replace(/^\S+\.(?:json|yaml):\d+: /, ''));
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^databases\.main\.resize: a serverless instance changes capacity on its own/),
      expect.stringMatching(/^databases\.main\.readReplicas\.instanceClass: expected an instance class for the replicas of a serverless primary/),
    ]),
  );
});
