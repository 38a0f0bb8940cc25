export interface TableOptions {
  /** Per column; default: numbers right-aligned, text left-aligned. */
  align?: readonly ('left' | 'right')[];
  /**
   * Widest line, in characters: when the table is wider, the last column's cells wrap onto
   * continuation lines (at spaces) so every line fits, as far as the other columns allow.
   */
  maxWidth?: number;
}

/** An aligned text table: numbers right-aligned, text left-aligned, units in the headers. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[], options: TableOptions = {}): string {
  const cells = rows.map((row) => row.map((v) => (typeof v === 'number' ? formatNumber(v) : v)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const right = headers.map((_, i) => (options.align?.[i] ?? (numeric[i] ? 'right' : 'left')) === 'right');
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const last = headers.length - 1;
  if (options.maxWidth !== undefined && last >= 0) {
    const others = widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
    const longestWord = Math.max(headers[last].length, ...cells.flatMap((r) => words(r[last]).map((w) => w.length)));
    widths[last] = Math.min(widths[last], Math.max(options.maxWidth - others, longestWord));
  }
  const line = (row: readonly string[]) => row.map((cell, i) => (right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const rowLines = (row: readonly string[]): string[] => {
    const wrapped = wrap(row[last] ?? '', widths[last]);
    return wrapped.map((text, k) => line(k === 0 ? [...row.slice(0, last), text] : [...row.slice(0, last).map(() => ''), text]));
  };
  return [line(headers), line(widths.map((w) => '─'.repeat(w))), ...cells.flatMap(rowLines)].join('\n');
}

/** The pieces a cell may be broken into, at spaces ("p99, errors" → "p99,", "errors"). */
function words(text: string): string[] {
  return text.split(' ').filter((w) => w !== '');
}

/** Greedy word wrap to `width` characters; a word longer than that stays whole. */
export function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let current = '';
  for (const word of words(text)) {
    if (current === '') current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  lines.push(current);
  return lines;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (Math.abs(v) >= 1) return v.toFixed(1);
  return v.toPrecision(2);
}
