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
);
