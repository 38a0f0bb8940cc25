import { realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { InputIssue } from './issues.js';

/** An HPA manifest is a few KB; 1 MiB leaves room for a long multi-document file. */
export const MAX_MANIFEST_BYTES = 1024 ** 2;
/** Traces are streamed, so the bound only stops a runaway file: 4 GiB is ~100 M timestamp rows. */
export const MAX_TRACE_BYTES = 4 * 1024 ** 3;

export interface ReferencedFileOptions {
  /** Accept absolute paths and paths leaving the scenario's folder (`--allow-outside-files`). */
  readonly allowOutside: boolean;
  readonly maxBytes: number;
}

export type ReferencedFile = { ok: true; path: string } | { ok: false; issue: InputIssue };

const ALLOW_HINT = ' (--allow-outside-files allows it)';

/**
 * The one policy for every file a scenario names (`hpa.file`, `trace.file`): the path is relative to
 * the scenario's folder and stays inside it, also after symlinks are resolved — a scenario from
 * someone else's repository must not read the user's files — and it is a regular file of at most
 * `maxBytes` (not a directory, FIFO or device such as /dev/zero). Checked with stat before anything
 * opens the file; the issue names `field` and the path as written, never the file's contents.
 */
export function resolveReferencedFile(field: string, written: string, scenarioDir: string, options: ReferencedFileOptions): ReferencedFile {
  const shown = JSON.stringify(written);
  const fail = (message: string): ReferencedFile => ({ ok: false, issue: { path: field, message } });
  if (!options.allowOutside && isAbsolute(written)) return fail(`expected a path relative to the scenario's folder, got the absolute path ${shown}${ALLOW_HINT}`);
  const lexical = resolve(scenarioDir, written);
  // Refused before the file system is asked, so a scenario cannot even probe which files exist.
  if (!options.allowOutside && !isInside(resolve(scenarioDir), lexical)) return fail(`expected a path inside the scenario's folder, got ${shown}${ALLOW_HINT}`);
  let real: string;
  let stats: Stats;
  try {
    real = realpathSync(lexical);
    stats = statSync(real);
  } catch (error) {
    return fail(`cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!options.allowOutside && !isInside(realDirectory(scenarioDir), real)) return fail(`expected a path inside the scenario's folder, got ${shown}, a link to a file outside it${ALLOW_HINT}`);
  if (!stats.isFile()) return fail(`expected a regular file, got ${shown}, ${kindOf(stats)}`);
  if (stats.size > options.maxBytes) return fail(`expected a file of at most ${formatBytes(options.maxBytes)}, got ${shown} of ${formatBytes(stats.size)}`);
  return { ok: true, path: real };
}

function isInside(directory: string, path: string): boolean {
  const rel = relative(directory, path);
  return !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

function realDirectory(directory: string): string {
  try {
    return realpathSync(directory);
  } catch {
    return resolve(directory);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${+value.toFixed(1)} ${units[unit]}`;
}
