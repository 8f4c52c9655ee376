// One lint config for the repo: typescript-eslint strict rules; no `any`; promises handled.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['packages/*/lib/**', '**/generated/**', '**/node_modules/**', '**/labextension/**', 'ui-tests/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx', 'packages/*/test/**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: ['packages/shared/tsconfig.test.json', 'packages/hub-service/tsconfig.test.json', 'packages/lab-extension/tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
