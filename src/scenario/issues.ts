/** A problem with user input: where it is and what was expected. */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
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

/** One line per issue: `path: message`. */
export function formatIssue(issue: InputIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}
