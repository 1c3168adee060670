// Lint rules for the whole workspace: typescript-eslint's recommended set plus the house rules
// of DESIGN.md §5 (time and randomness only through the injected Clock and Random).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', setImmediate: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': 'off',
    },
  },
  {
    // An unawaited promise is a lost error or a race (a TestClock advance, a storage write).
    files: ['packages/*/src/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**', '**/clock.ts', '**/random.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected Clock (DESIGN.md §5).' },
        { object: 'Math', property: 'random', message: 'Use the injected Random (DESIGN.md §5).' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use Clock.setTimer (DESIGN.md §5).' },
        { name: 'setInterval', message: 'Use Clock.setTimer (DESIGN.md §5).' },
      ],
    },
  },
);
