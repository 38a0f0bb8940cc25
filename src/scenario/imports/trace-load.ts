/**
 * Trace files, streamed: the file flows through fast-csv record by record into the compact typed
 * form of trace.ts (a Float64Array of offsets, or of counts per second), so memory follows that
 * form — at most about twice it while the last chunks are packed — and never the file's text.
 *
 * Parsed once per run: traces are kept by (path, format, size, mtime) for as long as something
 * still uses them (a WeakRef), so loading the same scenario again — for another seed, or the CLI's
 * run after its validation — reuses the parse. Their arrays live in SharedArrayBuffers: the runner
 * hands them to its worker threads (`sharedTraces` → workerData → `adoptSharedTraces`), which then
 * read the same memory instead of each parsing the file again.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'fast-csv';
import { countsTraceBuilder, timestampTraceBuilder, type ParsedTrace, type TraceBuilder, type TraceParseResult } from './trace.js';

/** Parsed traces by cache key, as posted to worker threads. */
export type SharedTraces = readonly (readonly [key: string, trace: ParsedTrace])[];

const cache = new Map<string, { deref(): ParsedTrace | undefined }>();

/**
 * Streams and parses the trace at `path` (already resolved; `written` is the path as the scenario
 * wrote it, for messages). Never throws: a file that cannot be read is an issue on `traffic.trace.file`.
 */
export async function loadTraceFile(path: string, format: 'timestamps' | 'counts', written: string): Promise<TraceParseResult<ParsedTrace>> {
  const cannotRead = (error: unknown): TraceParseResult<ParsedTrace> => ({
    ok: false,
    issues: [{ path: 'traffic.trace.file', message: `cannot read ${JSON.stringify(written)} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }],
  });
  let key: string;
  try {
    const { size, mtimeMs } = await stat(path);
    key = JSON.stringify([path, format, size, mtimeMs]);
  } catch (error) {
    return cannotRead(error);
  }
  const cached = cache.get(key)?.deref();
  if (cached) return { ok: true, trace: cached };

  const builder: TraceBuilder<ParsedTrace> = format === 'timestamps' ? timestampTraceBuilder(written) : countsTraceBuilder(written);
  const result = await new Promise<TraceParseResult<ParsedTrace>>((resolve) => {
    const source = createReadStream(path);
    const records = parse<string[], string[]>({ headers: false, ignoreEmpty: false, trim: true });
    source.on('error', (error) => {
      records.destroy();
      resolve(cannotRead(error));
    });
    records
      .on('error', (error: Error) => {
        source.destroy();
        resolve({ ok: false, issues: [{ path: written, message: `unreadable CSV: ${error.message}` }] });
      })
      .on('data', (record: string[]) => builder.add(record))
      .on('end', () => resolve(builder.finish()));
    source.pipe(records);
  });
  if (result.ok) cache.set(key, new WeakRef(result.trace));
  return result;
}

/** Every parsed trace still in use in this thread, to post to worker threads (their arrays are shared, not copied). */
export function sharedTraces(): SharedTraces {
  return [...cache].flatMap(([key, ref]) => {
    const trace = ref.deref();
    return trace ? [[key, trace] as const] : [];
  });
}

/** Takes the traces a parent thread shared; they stay for this thread's life, like its workerData. */
export function adoptSharedTraces(traces: SharedTraces): void {
  for (const [key, trace] of traces) cache.set(key, { deref: () => trace });
}
