import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: root });

/** The no-restricted-imports messages ESLint gives `code` as if it were the file at `filePath`. */
async function layeringMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('eslint enforces the dependency direction', () => {
  test.each([
    ['src/engine/x.ts', "import { Requests } from '../model/requests.js';"],
    ['src/metrics/x.ts', "import type { Scenario } from '../scenario/schema.js';"],
    ['src/model/traffic/x.ts', "import type { Scenario } from '../../scenario/schema.js';"],
    ['src/policy/hpa/x.ts', "import { Service } from '../../model/service/service.js';"],
    ['src/scenario/imports/x.ts', "import { runTasks } from '../../runner/pool.js';"],
    ['src/runner/x.ts', "export { renderCharts } from '../report/charts/charts.js';"],
    ['src/catalog/x.ts', "import { Simulation } from '../engine/index.js';"],
  ])('%s: %s is an error', async (filePath, code) => {
    const messages = await layeringMessages(code, filePath);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/may not import from .*: dependencies run cli → /);
  });

  test.each([
    ['src/model/traffic/x.ts', "import { Simulation } from '../../engine/index.js';"],
    ['src/model/x.ts', "import { FAILURE_CAUSES } from '../metrics/outcomes.js';"],
    ['src/scenario/x.ts', "import { Requests } from '../model/requests.js';"],
    ['src/report/x.ts', "import type { StrategyResult } from '../scenario/run.js';"],
    ['src/cli/x.ts', "import { runTasks } from '../runner/pool.js';"],
    ['src/engine/x.ts', "import { EventQueue } from './event-queue.js';"],
  ])('%s: %s is allowed', async (filePath, code) => {
    expect(await layeringMessages(code, filePath)).toEqual([]);
  });
});
