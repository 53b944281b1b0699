// @ts-check
import tseslint from 'typescript-eslint';
import layering from './build/lint/code-layering.mjs';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'e2e/artifacts/**', 'bench/out/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mjs}'],
    plugins: { local: layering },
    rules: {
      'local/code-layering': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The core never logs through console directly where a secret could pass: it uses its logger.
    files: ['electron/core/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
