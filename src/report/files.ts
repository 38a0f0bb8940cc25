import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeToString } from 'fast-csv';

/**
 * Writes a file atomically: the content goes to a temporary name beside it and is renamed
 * over the target, so an interrupted run never leaves a half-written file.
 */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
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
