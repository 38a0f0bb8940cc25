import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

// Hostile or careless scenario files, through the compiled CLI as users run it (npm test builds first).
const bin = resolve('dist/cli/main.js');
const manifest = resolve('scenarios/manifests/hpa-cpu-50.yaml');

function simulate(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** A folder holding the scenario `s.<ext>` (and whatever `files` adds), as cloned from someone's repository. */
function project(text: string, ext = 'yaml', files: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'scalesim-input-'));
  const dir = join(root, 'repo');
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const file = join(dir, `s.${ext}`);
  writeFileSync(file, text);
  return { root, dir, file };
}

/**
 * `validate` and `run` both refuse the file: exit 2, no stack trace, and `run` writes nothing under
 * --out. Returns validate's stderr lines.
 */
async function refused(file: string, cwd: string, extra: string[] = []): Promise<string[]> {
  const out = join(mkdtempSync(join(cwd, 'run-')), 'out');
  const [checked, run] = await Promise.all([simulate(['validate', file, ...extra], cwd), simulate(['run', file, '--out', out, '--quiet', ...extra], cwd)]);
  expect(checked.code).toBe(2);
  expect(checked.stderr).not.toMatch(/\n\s+at /);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(checked.stderr);
  expect(existsSync(out)).toBe(false);
  return checked.stderr.trim().split('\n');
}

const TINY = `name: tiny
duration: 1m
traffic:
  rate: { constant: 5/s }
  classes:
    browse: { share: 1, cpu: 10ms, timeout: 2s }
services:
  web:
    replicas: 2
strategies:
  a: {}
  b: { services: { web: { replicas: 3 } } }
`;

/** TINY with the `web` service's HPA read from `path`. */
const withHpaFile = (path: string) => TINY.replace('    replicas: 2\n', `    replicas: 2\n    hpa: { file: ${JSON.stringify(path)} }\n`);

describe('hostile files', () => {
  test('a YAML alias bomb (billion laughs) is one line, not exit 3 or a full memory', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(',')}]`);
    const { root, file } = project(`${TINY}${levels.join('\n')}\n`);
    expect(await refused(file, root)).toEqual([`${file}: too many YAML alias expansions (more than 100)`]);
  });

  test.each([
    ['json', 1, `{"name": "deep", "description": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
    ['yaml', 2, `name: deep\ndescription: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`],
    ['yaml', 3, `name: deep\ndescription:\n  ${'- '.repeat(100_000)}x\n`],
  ])('100 000 nested lists (%s) are one line with the line, not a stack overflow', async (ext, line, text) => {
    const { root, file } = project(text, ext);
    expect(await refused(file, root)).toEqual([`${file}:${line}: nested deeper than 64 levels`]);
  });

  test('a deeply nested HPA manifest is refused the same way', async () => {
    const { root, file } = project(withHpaFile('hpa.yaml'), 'yaml', { 'hpa.yaml': `spec:\n  metrics: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n` });
    expect(await refused(file, root)).toEqual(['hpa.yaml:2: nested deeper than 64 levels']);
  });

  test('nesting made deep by YAML aliases is refused at its field path', async () => {
    // 40 levels in the text, 80 once the alias is expanded.
    const { root, file } = project(`${TINY}x-deep: &deep ${'['.repeat(40)}${']'.repeat(40)}\nx-deeper: ${'['.repeat(40)}*deep${']'.repeat(40)}\n`);
    const lines = await refused(file, root);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${file}:\\d+: x-deeper(\\[0\\])+: nested deeper than 64 levels$`));
  });

  test('__proto__, constructor and prototype keys are errors by path, in the base and in strategy patches', async () => {
    const yaml = project(TINY.replace('    replicas: 2\n', '    replicas: 2\n    constructor: { replicas: 9 }\n').replace('  a: {}', '  a: { services: { web: { prototype: 1 } } }'));
    expect(await refused(yaml.file, yaml.root)).toEqual([
      `${yaml.file}:10: services.web.constructor: a key named "constructor" is not allowed (it names a JavaScript object internal)`,
      `${yaml.file}:12: strategies.a.services.web.prototype: a key named "prototype" is not allowed (it names a JavaScript object internal)`,
    ]);
    // JSON.parse keeps "__proto__" as an own key; the merge patch would copy it into a strategy.
    const json = project(
      JSON.stringify({ name: 'tiny', duration: '1m', traffic: { rate: { constant: 5 }, classes: { browse: { share: 1, cpu: '10ms' } } }, services: { web: { replicas: 2 } }, strategies: { a: JSON.parse('{"__proto__": {"workers": 0}}') } }, null, 2),
      'json',
    );
    expect(await refused(json.file, json.root)).toEqual([`${json.file}:22: strategies.a.__proto__: a key named "__proto__" is not allowed (it names a JavaScript object internal)`]);
  });
});

describe('names', () => {
  test('a scenario name too long for a folder is refused before any simulation', async () => {
    const { root, file } = project(TINY.replace('name: tiny', `name: ${'x'.repeat(300)}`));
    expect(await refused(file, root)).toEqual([`${file}:1: name: expected a name of at most 64 letters, digits, ".", "_" or "-", starting with a letter or digit, got 300 characters`]);
  });

  test("strategies named after the report's files, a hidden folder, or only differing in case are refused", async () => {
    const { root, file } = project(TINY.replace('  a: {}\n', '  charts: {}\n  report.html: {}\n  .hidden: {}\n  B: {}\n'));
    expect(await refused(file, root)).toEqual([
      `${file}:11: strategies.charts: expected a name other than the report's own comparison.csv, report.html, charts, got "charts"`,
      `${file}:12: strategies.report.html: expected a name other than the report's own comparison.csv, report.html, charts, got "report.html"`,
      `${file}:13: strategies..hidden: expected a name of at most 64 letters, digits, ".", "_" or "-", starting with a letter or digit, got ".hidden"`,
      `${file}:15: strategies.b: expected names that differ in more than case, got "B" and "b"`,
    ]);
  });
});

describe('referenced files', () => {
  test.each([
    ['/etc/passwd', 'expected a path relative to the scenario\'s folder, got the absolute path "/etc/passwd"'],
    ['../secret.txt', 'expected a path inside the scenario\'s folder, got "../secret.txt"'],
    ['link.yaml', 'expected a path inside the scenario\'s folder, got "link.yaml", a link to a file outside it'],
  ])('%s: refused without reading it (no absolute paths, .. escapes or symlinks out of the folder)', async (written, why) => {
    const secret = 'SECRET-TOKEN-4711';
    const { root, dir, file } = project(withHpaFile(written));
    writeFileSync(join(root, 'secret.txt'), `${secret}\n`);
    symlinkSync(join(root, 'secret.txt'), join(dir, 'link.yaml'));
    const lines = await refused(file, root);
    expect(lines).toEqual([`${file}:10: services.web.hpa.file: ${why} (--allow-outside-files allows it)`]);
    expect(lines.join('\n')).not.toContain(secret);
  });

  test('--allow-outside-files lets a run read a manifest outside the folder (in its workers too), and never echoes a file that is not one', async () => {
    const { root, file } = project(withHpaFile('../hpa.yaml'));
    copyFileSync(manifest, join(root, 'hpa.yaml'));
    expect((await simulate(['validate', file, '--allow-outside-files'], root)).code).toBe(0);
    const run = await simulate(['run', file, '--allow-outside-files', '--out', join(root, 'out'), '--jobs', '2', '--no-report', '--quiet'], root);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(existsSync(join(root, 'out', 'tiny', 'b', 'summary.json'))).toBe(true);

    // A file that is not YAML (a key, /etc/passwd) parses as one long string: named by its type only.
    writeFileSync(join(root, 'hpa.yaml'), 'SECRET-TOKEN-4711:x:0:0\nmore:secret:lines\n');
    const lines = await refused(file, root, ['--allow-outside-files']);
    expect(lines).toEqual(['../hpa.yaml: expected a HorizontalPodAutoscaler manifest (a YAML mapping), got a string']);
  });

  test('a directory is refused by stat', async () => {
    const { root, file } = project(withHpaFile('dir'), 'yaml', { 'dir/keep': '' });
    expect(await refused(file, root)).toEqual([`${file}:10: services.web.hpa.file: expected a regular file, got "dir", a directory`]);
  });

  test('a FIFO is refused by stat: opening it for reading would block until a writer comes', async () => {
    const { root, dir, file } = project(withHpaFile('pipe'));
    expect(spawnSync('mkfifo', [join(dir, 'pipe')]).status).toBe(0);
    expect(await refused(file, root)).toEqual([`${file}:10: services.web.hpa.file: expected a regular file, got "pipe", a named pipe`]);
  });

  test('/dev/zero is refused by stat, even with --allow-outside-files: reading it grew memory without bound', async () => {
    const { root, file } = project(withHpaFile('/dev/zero'));
    expect(await refused(file, root, ['--allow-outside-files'])).toEqual([`${file}:10: services.web.hpa.file: expected a regular file, got "/dev/zero", a character device`]);
  });

  test('a manifest over 1 MiB is refused by its size', async () => {
    const { root, file } = project(withHpaFile('big.yaml'), 'yaml', { 'big.yaml': `# ${'x'.repeat(2 * 1024 ** 2)}\n` });
    expect(await refused(file, root)).toEqual([`${file}:10: services.web.hpa.file: expected a file of at most 1 MiB, got "big.yaml" of 2 MiB`]);
  });

  test('a missing trace is one line, not one per strategy', async () => {
    const { root, file } = project(TINY.replace('  rate: { constant: 5/s }', '  trace: { file: traces/missing.csv, format: counts }'));
    expect(await refused(file, root)).toEqual([`${file}:4: traffic.trace.file: cannot read "traces/missing.csv" (ENOENT)`]);
  });
});

describe('help where it is cheap', () => {
  test('an unknown field names the nearest known one, with its line, in YAML, JSON and strategy patches', async () => {
    const yaml = project(TINY.replace('timeout: 2s', 'timout: 2s').replace('  a: {}', '  a: { services: { web: { wokers: 8 } } }'));
    expect(await refused(yaml.file, yaml.root)).toEqual([
      `${yaml.file}:6: traffic.classes.browse: unknown field "timout" — did you mean "timeout"?`,
      `${yaml.file}:11: strategies.a → services.web: unknown field "wokers" — did you mean "workers"?`,
    ]);
    const json = project(
      JSON.stringify({ name: 'tiny', duration: '1m', traffic: { rate: { constnt: 5 }, classes: { browse: { share: 1, cpu: '10ms' } } }, services: { web: { replicas: 2, colour: 'blue' } } }, null, 2),
      'json',
    );
    const lines = await refused(json.file, json.root);
    expect(lines).toContain(`${json.file}:6: traffic.rate: unknown field "constnt" — did you mean "constant"?`);
    // Nothing near "colour" among a service's fields: no guess.
    expect(lines).toContain(`${json.file}:18: services.web: unknown field "colour"`);
  });
});
