import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeToString } from 'fast-csv';

/**
 * Writes a file atomically: the content goes to a temporary name in the target's own folder
 * (`.<name>.tmp-<pid>`, so never beside the folder) and is renamed over the target, so an
 * interrupted run never leaves a half-written file. On failure the temporary file is removed.
 */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Why `path` cannot become a file written by writeFileAtomic (missing parent folders are
 * created), as "expected …, got …"; undefined when it can. Checked before any work starts.
 */
export function fileTargetProblem(path: string): string | undefined {
  if (path === '') return 'expected a file path, got ""';
  if (statOrUndefined(path)?.isDirectory()) return `expected a file path, got ${JSON.stringify(path)}, which is a directory`;
  return folderProblem(dirname(resolve(path)), path);
}

/** Why `dir` cannot be (or be created as) a writable directory, as "expected …, got …"; undefined when it can. */
export function directoryTargetProblem(dir: string): string | undefined {
  if (dir === '') return 'expected a directory, got ""';
  return folderProblem(resolve(dir), dir);
}

/** Checks the folder `absolute`, or the nearest ancestor that exists when it doesn't: a directory this process may write in. */
function folderProblem(absolute: string, given: string): string | undefined {
  let existing = absolute;
  let stats = statOrUndefined(existing);
  while (!stats && dirname(existing) !== existing) {
    existing = dirname(existing);
    stats = statOrUndefined(existing);
  }
  const got = `got ${JSON.stringify(given)}`;
  const what = stats?.isFile() ? 'a file' : 'not a directory';
  if (!stats?.isDirectory()) return existing === absolute ? `expected a directory, ${got}, which is ${what}` : `expected a directory, ${got}, but ${JSON.stringify(existing)} is ${what}`;
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'not writable';
    return `expected a writable directory, ${got} (${existing === absolute ? code : `${code} on ${JSON.stringify(existing)}`})`;
  }
  return undefined;
}

export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Numbers as written to outputs: fixed precision keeps files readable and stable. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  const rounded = Math.round(value * factor) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
}

export async function toCsv(columns: readonly string[], rows: readonly (readonly (number | string)[])[]): Promise<string> {
  const body = rows.map((row) => row.map((v) => (typeof v === 'number' ? (Number.isNaN(v) ? '' : round(v)) : v)));
  return writeToString([columns as string[], ...body], { headers: false, includeEndRowDelimiter: true });
}

/** JSON with numbers rounded and keys in insertion order (deterministic). */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v) => (typeof v === 'number' ? round(v, 6) : v), 2)}\n`;
}
