import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Determinism: nothing under src/ may read the wall clock or unseeded randomness,
// except the CLI (src/cli/: its progress display and the benchmark).
const wallClock = {
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'Use a named seeded stream from the engine.' },
    { object: 'Date', property: 'now', message: 'Simulated time only (sim.now).' },
    { object: 'performance', property: 'now', message: 'Simulated time only (sim.now).' },
    { object: 'crypto', property: 'randomUUID', message: 'Not deterministic.' },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Date']", message: 'No wall-clock dates in anything that decides or is written.' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Schedule simulated events instead.' },
    { name: 'setInterval', message: 'Schedule simulated events instead.' },
    { name: 'setImmediate', message: 'Schedule simulated events instead.' },
  ],
};

// Dependencies run one way: cli → report / runner / dryrun → scenario → model → policy / metrics → engine.
// Each folder may not import the folders above it (nor, inside a tier, the ones beside it that depend on it).
const LAYERS = {
  engine: ['model', 'policy', 'metrics', 'catalog', 'scenario', 'report', 'runner', 'dryrun', 'cli'],
  // catalog/ is a leaf of data (prices, instance types) that model/ and scenario/ read; it imports nothing.
  catalog: ['engine', 'model', 'policy', 'metrics', 'scenario', 'report', 'runner', 'dryrun', 'cli'],
  policy: ['model', 'metrics', 'catalog', 'scenario', 'report', 'runner', 'dryrun', 'cli'],
  metrics: ['model', 'policy', 'catalog', 'scenario', 'report', 'runner', 'dryrun', 'cli'],
  model: ['scenario', 'report', 'runner', 'dryrun', 'cli'],
  scenario: ['report', 'runner', 'dryrun', 'cli'],
  report: ['runner', 'dryrun', 'cli'],
  runner: ['report', 'dryrun', 'cli'],
  // dryrun/ is a CLI feature beside report/ and runner/: the HPA policy over recorded metrics, with scenario/'s parsers.
  dryrun: ['report', 'runner', 'cli'],
};
const layering = Object.entries(LAYERS).map(([folder, above]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./)+(${above.join('|')})/`,
            message: `src/${folder}/ may not import from ${above.join(', ')}: dependencies run cli → report / runner / dryrun → scenario → model → policy / metrics → engine (see eslint.config.js).`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/cli/**'], rules: wallClock },
  ...layering,
);
