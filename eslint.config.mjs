// ESLint flat config. Kept fast on purpose: the recommended sets without type information
// (`npm test` type-checks with tsc first). Formatting is Prettier's (eslint-config-prettier last).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/', 'examples/**/node_modules/', 'examples/**/dist/', 'helm/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` marks a parameter or binding kept on purpose (an interface's shape, a property destructured out).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // The project's rule: no `any` without a reason, given in an `eslint-disable-next-line` comment.
      '@typescript-eslint/no-explicit-any': 'error',
      // `catch {}` is the codebase's idiom for best-effort cleanup (killing a process that may be gone).
      'no-empty': ['error', { allowEmptyCatch: true }],
      // `let x; subscribe(() => x?.…); x = …`: a callback reads it before the one assignment, so it cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // CommonJS: root config files, test setup and fixtures (package.json has no "type": "module").
    files: ['**/*.cjs', '*.js', 'src/**/*.js', 'test/**/*.js', 'bench/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['**/*.{js,cjs}'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.{ts,js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.jest } },
  },
  prettier,
);
