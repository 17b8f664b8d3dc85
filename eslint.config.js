// @ts-check
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'http', 'http2',
  'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url', 'util',
  'v8', 'vm', 'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'dist/**', 'db/migrations/**', 'test/histories/**/*.json'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed for years and domain code is pure: no Node built-ins, no I/O libraries,
    // no clock or randomness of their own.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, ...nodeBuiltins.map((m) => `node:${m}`), 'pg', 'drizzle-orm', 'express', '@temporalio/client', '@temporalio/worker', '@temporalio/activity']
          .map((name) => ({ name, message: 'workflows/ and domain/ must stay deterministic and free of I/O' })),
        patterns: [{ group: ['node:*', 'drizzle-orm/*', '../activities/*', '../db/*', '../api/*'], message: 'workflows/ and domain/ must stay deterministic and free of I/O' }],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'no process in deterministic code' },
        { name: 'setTimeout', message: 'use workflow timers' },
        { name: 'setInterval', message: 'use workflow timers' },
      ],
      // Date.now() in a workflow is Temporal's replay-safe clock; Math.random would be too, but ids come from uuid4().
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'randomness is an input' }],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['@temporalio/*', 'node:*', 'pg', 'drizzle-orm', 'drizzle-orm/*', 'express', '../workflows/*', '../activities/*', '../db/*', '../api/*'], message: 'domain/ is pure: no Temporal, no I/O' }],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'the clock is an input to the domain' },
        { object: 'Math', property: 'random', message: 'randomness is an input to the domain' },
      ],
    },
  },
);
