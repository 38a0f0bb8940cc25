import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

// The CLI as users run it: the compiled bin (npm test builds first).
const bin = resolve('dist/cli/main.js');
const small = resolve('test/fixtures/scenarios/small.yaml');
/** Two simulated minutes: these tests are about the files, not the figures. */
const quick = ['--duration', '2m'];
const newDir = () => mkdtempSync(join(tmpdir(), 'scalesim-results-'));

function simulate(args: string[], cwd = newDir(), env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, cwd };
}

/**
 * Starts the CLI, sends `signal` once stderr matches `when`, and resolves with its exit code
 * (128 + n for a signal it did not catch), its stderr and how long it ran after the signal.
 */
function interrupt(args: string[], cwd: string, env: Record<string, string>, when: RegExp, signal: NodeJS.Signals) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; afterSignalMs: number }>((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env } });
    let stderr = '';
    let sentAt: number | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
      if (sentAt === undefined && when.test(stderr)) {
        sentAt = performance.now();
        child.kill(signal);
      }
    });
    child.on('error', fail);
    child.on('exit', (code, exitSignal) => {
      if (sentAt === undefined) fail(new Error(`exited (${code}) before ${when}: ${stderr}`));
      else done({ code, signal: exitSignal, stderr, afterSignalMs: performance.now() - sentAt });
    });
  });
}

/** Every file under `dir` with its bytes, by relative path. */
function snapshot(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

const PAUSE = { SCALESIM_TEST_PAUSE_BEFORE_SWAP: '120000' };
const PAUSED = /paused before the swap/;
/** Tests that start the CLI several times: generous on a loaded machine. */
const SEVERAL_RUNS_MS = 180_000;

describe('results are replaced whole, never mixed', () => {
  test('SIGKILL in the write phase leaves the previous results intact; the next run removes the temporary folder', async () => {
    const first = simulate([small, ...quick, '--jobs', '2']);
    expect(first.code).toBe(0);
    const results = join(first.cwd, 'results');
    const before = snapshot(join(results, 'small'));
    expect([...before.keys()]).toEqual(expect.arrayContaining(['comparison.csv', 'report.html', 'four/summary.json', 'eight/timeseries.csv']));

    // Another seed: every file of the new run differs from the previous one.
    const killed = await interrupt([small, ...quick, '--seed', '8', '--jobs', '2', '--no-report'], first.cwd, PAUSE, PAUSED, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const temporary = readdirSync(results).filter((e) => e.startsWith('.'));
    expect(temporary).toEqual([expect.stringMatching(/^\.small\.tmp-\d+$/)]);
    // The killed run had written all of itself, just not swapped it in.
    expect(JSON.parse(readFileSync(join(results, temporary[0], 'four', 'summary.json'), 'utf8')).seed).toBe(8);
    expect(snapshot(join(results, 'small'))).toEqual(before);

    const next = simulate([small, ...quick, '--seed', '9', '--no-report', '--strategy', 'four'], first.cwd);
    expect(next.code).toBe(0);
    expect(readdirSync(results)).toEqual(['small']);
    expect(readdirSync(join(results, 'small')).sort()).toEqual(['comparison.csv', 'four']);
    expect(JSON.parse(readFileSync(join(results, 'small', 'four', 'summary.json'), 'utf8')).seed).toBe(9);
  }, SEVERAL_RUNS_MS);

  test('SIGINT in the write phase: exit 130, previous results intact, no temporary folder at all', async () => {
    const first = simulate([small, ...quick, '--no-report', '--jobs', '2']);
    const results = join(first.cwd, 'results');
    const before = snapshot(results);
    const stopped = await interrupt([small, ...quick, '--seed', '8', '--jobs', '2', '--no-report'], first.cwd, PAUSE, PAUSED, 'SIGINT');
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('interrupted by SIGINT: stopped, nothing written (results/small is as it was)');
    expect(stopped.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(results)).toEqual(before);
    expect(readdirSync(results)).toEqual(['small']);
  }, SEVERAL_RUNS_MS);

  test('SIGTERM before any results exist: exit 143, and not even the --out folder it had created is left', async () => {
    const cwd = newDir();
    const stopped = await interrupt([small, ...quick, '--no-report', '--jobs', '2', '--out', 'out/nested'], cwd, PAUSE, PAUSED, 'SIGTERM');
    expect(stopped.code).toBe(143);
    expect(readdirSync(cwd)).toEqual([]);
  });

  test('leftovers of killed runs are tidied: temporary folders removed, results set aside mid-swap restored; nothing else touched', async () => {
    const cwd = newDir();
    const results = join(cwd, 'results');
    // Above Linux's largest pid: a process that cannot exist. The test runner's own pid is alive.
    const dead = 4_194_305;
    const make = (path: string) => {
      mkdirSync(join(results, path), { recursive: true });
      writeFileSync(join(results, path, 'marker'), path);
    };
    make(`.small.old-${dead}`); // killed between the two renames of a swap: no results/small
    make(`.small.tmp-${dead}`);
    make(`.other.tmp-${dead}`);
    make(`.small.tmp-${process.pid}`); // a run still in progress
    make('.keep');
    make(`notes.tmp-${dead}`);
    // Stopped just before its own swap: what remains is the tidied state.
    const stopped = await interrupt([small, ...quick, '--no-report'], cwd, PAUSE, PAUSED, 'SIGINT');
    expect(stopped.code).toBe(130);
    expect(readdirSync(results).sort()).toEqual(['.keep', `.small.tmp-${process.pid}`, `notes.tmp-${dead}`, 'small']);
    expect(readFileSync(join(results, 'small', 'marker'), 'utf8')).toBe(`.small.old-${dead}`);
  });

  test('a run of some strategies holds just those: no stale strategy folder, chart or report from the run before', () => {
    const all = simulate([small, ...quick, '--jobs', '2']);
    expect(all.code).toBe(0);
    const dir = join(all.cwd, 'results', 'small');
    expect(readdirSync(dir).sort()).toEqual(['charts', 'comparison.csv', 'eight', 'four', 'report.html']);

    const some = simulate([small, ...quick, '--strategy', 'eight', '--no-report'], all.cwd);
    expect(some.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['comparison.csv', 'eight']);
    const csv = readFileSync(join(dir, 'comparison.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toMatch(/^1,eight,/);
  }, SEVERAL_RUNS_MS);

  test('--strategy takes several names, comma-separated or repeated, in the scenario order', () => {
    const comma = simulate([small, '--strategy', 'eight,four', '--no-report', ...quick]);
    expect(comma.code).toBe(0);
    expect(comma.stderr).toBe(''); // and no progress bar on a pipe (without SCALESIM_PROGRESS=1)
    const repeated = simulate([small, '--strategy', 'eight', '--strategy', 'four', '--no-report', ...quick]);
    expect(repeated.code).toBe(0);
    expect(readFileSync(join(repeated.cwd, 'results', 'small', 'comparison.csv'))).toEqual(readFileSync(join(comma.cwd, 'results', 'small', 'comparison.csv')));
    expect(readdirSync(join(comma.cwd, 'results', 'small')).sort()).toEqual(['comparison.csv', 'eight', 'four']);

    const unknown = simulate([small, '--strategy', 'four,nine', '--strategy', 'ten']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual(['--strategy: expected one of four, eight, got "nine"', '--strategy: expected one of four, eight, got "ten"']);
    expect(existsSync(join(unknown.cwd, 'results'))).toBe(false);
    const empty = simulate([small, '--strategy', 'four,']);
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe('--strategy: expected a strategy name, got ""');
  }, SEVERAL_RUNS_MS);
});

describe('--out is checked before any simulation', () => {
  test('a file, a path under a file, or a scenario folder that is a file: exit 2, one line, nothing written', () => {
    const cwd = newDir();
    writeFileSync(join(cwd, 'taken'), 'mine');
    const file = simulate([small, '--out', 'taken'], cwd);
    expect(file.code).toBe(2);
    expect(file.stderr).toBe('--out: expected a directory, got "taken", which is a file\n');
    expect(file.stdout).toBe('');

    const under = simulate([small, '--out', 'taken/results'], cwd);
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(`--out: expected a directory, got "taken/results", but ${JSON.stringify(join(cwd, 'taken'))} is a file\n`);

    mkdirSync(join(cwd, 'out'));
    writeFileSync(join(cwd, 'out', 'small'), 'mine too');
    const scenarioFile = simulate([small, '--out', 'out'], cwd);
    expect(scenarioFile.code).toBe(2);
    expect(scenarioFile.stderr).toBe('--out: expected "out/small" to be a results directory or absent, got a file\n');

    // Nothing was simulated or written: the files are as they were, and nothing else appeared.
    expect(readdirSync(cwd).sort()).toEqual(['out', 'taken']);
    expect(readdirSync(join(cwd, 'out'))).toEqual(['small']);
    expect(readFileSync(join(cwd, 'taken'), 'utf8')).toBe('mine');
    expect(readFileSync(join(cwd, 'out', 'small'), 'utf8')).toBe('mine too');
  }, SEVERAL_RUNS_MS);
});

describe('progress and Ctrl-C', () => {
  test('SIGINT while simulating: workers stopped at once, exit 130, the bar cleared and line wrapping restored, nothing written', async () => {
    const cwd = newDir();
    // Six simulated hours per strategy: far longer than the test waits. The bar shows a clock
    // past 0:00 once the simulation is under way in the workers.
    const stopped = await interrupt([small, '--duration', '6h', '--jobs', '2'], cwd, { SCALESIM_PROGRESS: '1' }, /\b0:(0[1-9]|[1-5]\d) \/ 6:00/, 'SIGINT');
    expect(stopped.code).toBe(130);
    expect(stopped.afterSignalMs).toBeLessThan(15_000);
    expect(stopped.stderr).toContain('req/s · ETA');
    expect(stopped.stderr).toContain('\x1b[?7l'); // cli-progress turned wrapping off…
    expect(stopped.stderr.lastIndexOf('\x1b[?7h')).toBeGreaterThan(stopped.stderr.lastIndexOf('\x1b[?7l')); // …and it is back on
    expect(stopped.stderr.trimEnd().endsWith('interrupted by SIGINT: stopped, nothing written (results/small is as it was)')).toBe(true);
    expect(existsSync(join(cwd, 'results'))).toBe(false);
  });
});

describe('hpa-dryrun --out', () => {
  const args = ['hpa-dryrun', '--hpa', resolve('test/fixtures/hpa/seeds-hpa.yaml'), '--metrics', resolve('test/fixtures/hpa/recorded-cpu-averaged.csv'), '--pods', '2'];

  test('an existing directory is refused before anything runs; nothing is written beside it', () => {
    const parent = newDir();
    const target = join(parent, 'decisions');
    mkdirSync(target);
    const r = simulate([...args, '--out', target], parent);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`--out: expected a file path, got ${JSON.stringify(target)}, which is a directory\n`);
    expect(r.stdout).toBe('');
    expect(readdirSync(parent)).toEqual(['decisions']);
    expect(readdirSync(target)).toEqual([]);
  });

  test('a file path gets the CSV, and no temporary file is left in its folder', () => {
    const dir = newDir();
    const r = simulate([...args, '--out', join(dir, 'decisions.csv')], dir);
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['decisions.csv']);
    expect(readFileSync(join(dir, 'decisions.csv'), 'utf8')).toMatch(/^t_s,from,to,reason,message\n/);
  });
});
