import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// Dependencies point one way: ui -> state -> workers -> core. The core stays free of
// React, the DOM, zustand, recharts and worker globals so it runs (and is tested) in Node.
const uiLibs = [
  'react',
  'react-dom',
  'react-dom/*',
  'zustand',
  'zustand/*',
  'recharts',
  '@radix-ui/*',
];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', 'tmp', 'screenshots'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The app does not use the React Compiler, so "cannot be memoized by the compiler" does
      // not apply (it flags @tanstack/react-virtual).
      'react-hooks/incompatible-library': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workers/*'], message: 'Panels call store actions, never workers.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: uiLibs.filter((p) => !p.includes('*')),
          patterns: [
            { group: uiLibs.filter((p) => p.includes('*')), message: 'The core is UI-free.' },
            {
              group: ['**/ui/*', '**/state/*', '**/workers/*', '**/cli/*'],
              message: 'The core imports nothing above it.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'self',
        'postMessage',
        'navigator',
        'localStorage',
        'process',
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Randomness is a seeded argument.' },
      ],
    },
  },
  {
    files: ['src/workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ui/*', '**/state/*', 'react', 'zustand'],
              message: 'Workers sit below state and ui.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/state/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/ui/*', 'react-dom', 'recharts'], message: 'State sits below ui.' },
          ],
        },
      ],
    },
  },
);
