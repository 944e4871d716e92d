// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = {
  patterns: [
    {
      group: ['node:*'],
      message:
        'dsp, sim and intel are pure: they run in browsers and workers too. Do I/O in formats, agent or server.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', 'packages/*/assembly/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'process.env is read in packages/config only: add a typed, documented field there.',
        },
      ],
    },
  },
  {
    // tests and their harnesses pass the environment on to the processes they start
    files: [
      'packages/config/**',
      'scripts/**',
      '**/*.test.ts',
      '**/*-harness.ts',
      'apps/web/e2e/**',
      'eslint.config.js',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // the dashboard runs in browsers and talks to the server over HTTP only: importing the server
    // would drag Node code into the bundle (wire types come from @heimdall/protocol and the
    // OpenAPI-generated src/generated/api.ts)
    files: ['apps/web/src/**'],
    ignores: ['**/*.test.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@heimdall/server', '@heimdall/server/*'],
              message: 'web does not import server: use the REST API.',
            },
            { group: ['node:*'], message: 'web code runs in the browser: no node:* modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/dsp/src/**', 'packages/sim/src/**', 'packages/intel/src/**'],
    ignores: ['**/*.test.ts', '**/*.bench.ts'],
    rules: { 'no-restricted-imports': ['error', nodeBuiltins] },
  },
);
