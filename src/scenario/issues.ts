/** A problem with user input: where it is and what was expected. */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
  /** The file and 1-based line the problem is on, when known. */
  readonly file?: string;
  readonly line?: number;
}

export type Loaded<T> = { ok: true; value: T } | { ok: false; issues: InputIssue[] };

/** `services.web.resources[0].cpu` from a zod-style path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** One line per issue: `path: message`, after `file:line: ` when the line is known. */
export function formatIssue(issue: InputIssue): string {
  const at = issue.file !== undefined && issue.line !== undefined ? `${issue.file}:${issue.line}: ` : '';
  return at + (issue.path ? `${issue.path}: ${issue.message}` : issue.message);
}
