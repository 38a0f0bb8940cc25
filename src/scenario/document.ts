import { extname } from 'node:path';
import { isMap, isScalar, isSeq, Lexer, LineCounter, parseDocument, Parser, type Document } from 'yaml';
import { formatPath, type InputIssue, type Loaded } from './issues.js';

/**
 * Reading a scenario's text safely: hostile input (deep nesting, alias bombs, keys that reach
 * JavaScript internals) becomes an issue instead of a crash, and every field path can be mapped
 * back to its line.
 */

/** Deepest nesting of mappings and lists: a real scenario needs about 10 (an inline HPA under a strategy). */
export const MAX_NESTING_DEPTH = 64;
/** yaml's bound on alias expansions (its default, stated): a billion-laughs file stops here instead of filling memory. */
export const MAX_YAML_ALIAS_COUNT = 100;
/** Keys that name JavaScript object internals; never a field of a scenario, whatever a merge patch or parser does with them. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type FieldPath = readonly PropertyKey[];

/** The file and line of the field at a path, to spread into an InputIssue (empty when unknown). */
export type Locate = (path: FieldPath) => { file?: string; line?: number };

export interface ParsedDocument {
  readonly value: unknown;
  readonly locate: Locate;
}

/** JSON (by extension) or YAML text → its value and a locator; nesting is bounded before any recursive code sees it. */
export function parseScenarioText(text: string, file: string): Loaded<ParsedDocument> {
  const tooDeep = nestingIssue(text, file);
  if (tooDeep) return { ok: false, issues: [tooDeep] };

  if (extname(file).toLowerCase() === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { ok: false, issues: [{ path: file, message: `not valid JSON: ${(error as Error).message}` }] };
    }
    // JSON is YAML 1.2: yaml finds the lines, only when an issue needs one.
    let locate: Locate | undefined;
    return { ok: true, value: { value, locate: (path) => (locate ??= locator(new LineCounter(), text, file))(path) } };
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return { ok: false, issues: document.errors.map((e) => ({ file, line: lineCounter.linePos(e.pos[0]).line, path: '', message: `not valid YAML: ${e.message.split('\n')[0]}` })) };
  }
  try {
    return { ok: true, value: { value: document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }), locate: locator(lineCounter, text, file, document) } };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const message = /excessive alias count/i.test(error.message) ? `too many YAML alias expansions (more than ${MAX_YAML_ALIAS_COUNT})` : `not valid YAML: ${error.message}`;
    return { ok: false, issues: [{ path: file, message }] };
  }
}

/** An issue when YAML or JSON `text` nests deeper than MAX_NESTING_DEPTH: check it before yaml composes the text. */
export function nestingIssue(text: string, file: string): InputIssue | undefined {
  const offset = nestingLimitOffset(text);
  return offset === undefined ? undefined : { file, line: lineAt(text, offset), path: '', message: `nested deeper than ${MAX_NESTING_DEPTH} levels` };
}

/**
 * The offset where nesting first exceeds the limit, from yaml's own lexer and CST parser: both are
 * iterative, while composing a document recurses per level (100 000 nested `[` overflow the stack
 * and can abort the process). The CST stack holds the document and the node being read besides one
 * entry per level, hence the margin.
 */
function nestingLimitOffset(text: string): number | undefined {
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(text)) {
    const tokens = parser.next(lexeme);
    while (!tokens.next().done);
    if (parser.stack.length > MAX_NESTING_DEPTH + 4) return parser.offset;
  }
  return undefined;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Finds the line of the key (or item) at the end of the deepest part of `path` present in the document. */
function locator(lines: LineCounter, text: string, file: string, document: Document = parseDocument(text, { lineCounter: lines })): Locate {
  return (path) => {
    let node: unknown = document.contents;
    let offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        if (!pair) break;
        offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
        node = node.items[key];
        offset = (node as { range?: [number, number, number] }).range?.[0] ?? offset;
      } else break;
    }
    return offset === undefined ? {} : { file, line: lines.linePos(offset).line };
  };
}

/**
 * Walks a parsed value without recursion: a container deeper than MAX_NESTING_DEPTH (also one made
 * deep by YAML aliases, or circular) and every forbidden key is an issue at its path.
 */
export function structureIssues(value: unknown, locate: Locate): InputIssue[] {
  const issues: InputIssue[] = [];
  const pending: { value: unknown; path: FieldPath }[] = [{ value, path: [] }];
  let tooDeep = false;
  while (pending.length > 0) {
    const { value: node, path } = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (path.length >= MAX_NESTING_DEPTH) {
      if (!tooDeep) issues.push({ path: formatPath(path), message: `nested deeper than ${MAX_NESTING_DEPTH} levels`, ...locate(path) });
      tooDeep = true;
      continue;
    }
    const entries: [PropertyKey, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      const at = [...path, key];
      if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) issues.push({ path: formatPath(at), message: `a key named ${JSON.stringify(key)} is not allowed (it names a JavaScript object internal)`, ...locate(at) });
      else pending.push({ value: child, path: at });
    }
  }
  return issues;
}
