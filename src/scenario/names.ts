/**
 * Rules for the names that become folders under `results/`: the scenario's `name`
 * (`results/<scenario>/`) and each strategy's (`results/<scenario>/<strategy>/`).
 */

/** Longest name: well below any filesystem's 255 bytes per name, and readable in a table. */
export const MAX_NAME_LENGTH = 64;

/** Letters, digits, ".", "_" and "-", starting with a letter or digit (not a hidden folder, `..`, or a flag). */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

export const NAME_RULE = `a name of at most ${MAX_NAME_LENGTH} letters, digits, ".", "_" or "-", starting with a letter or digit`;

/**
 * What the report writes in `results/<scenario>/` beside the strategies' folders. The writer takes
 * the names from here, so a strategy can never be named after one of them.
 */
export const SCENARIO_RESULT_FILES = { comparison: 'comparison.csv', report: 'report.html', charts: 'charts' } as const;

/** Why `name` cannot name a scenario or a strategy, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH) return `expected ${NAME_RULE}, got ${name.length} characters`;
  if (!NAME_PATTERN.test(name)) return `expected ${NAME_RULE}, got ${JSON.stringify(name)}`;
  return undefined;
}

/**
 * Why the strategies' names cannot all be folders of one results folder, by name: a bad name, one of
 * the report's own files, or two names that differ only in case (one folder on macOS and Windows).
 */
export function strategyNameProblems(names: readonly string[]): Map<string, string> {
  const problems = new Map<string, string>();
  const reserved = new Map(Object.values(SCENARIO_RESULT_FILES).map((file) => [file.toLowerCase(), file]));
  const seen = new Map<string, string>();
  for (const name of names) {
    const bad = nameProblem(name);
    const folded = name.toLowerCase();
    if (bad !== undefined) problems.set(name, bad);
    else if (reserved.has(folded)) problems.set(name, `expected a name other than the report's own ${[...reserved.values()].join(', ')}, got ${JSON.stringify(name)}`);
    else if (seen.has(folded)) problems.set(name, `expected names that differ in more than case, got ${JSON.stringify(seen.get(folded))} and ${JSON.stringify(name)}`);
    seen.set(folded, name);
  }
  return problems;
}
