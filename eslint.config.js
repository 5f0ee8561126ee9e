// ESLint 9 flat config: JavaScript's and typescript-eslint's recommended rules (type-aware for
// the TypeScript files), with eslint-config-prettier last so that no rule concerns formatting
// (Prettier owns that: `npm run format`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-web/', 'build/', 'build-asan/', 'docs/', 'runs/', 'test-artifacts/', 'data/', 'native/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test() and describe() return promises that the runner itself awaits
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      // `_name`: an argument an interface requires, or a destructured slot, left unused on purpose
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // shapes and lists in error messages print as "2,3": intended; an object would print "[object Object]" and is still flagged
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowArray: true, allowNullish: true, allowNever: true },
      ],
      // the code writes `xs[i]!` on purpose (an index may be out of range; the tsconfig does not say so): not an error
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // validation of untyped input (an argument checked at run time, JSON, LanceDB rows, tfjs's any-typed returns)
      // is where `any` flows here, and it is checked there: these fire on correct code
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // async methods that satisfy a Promise-returning interface (Dataset.get, a store) need no await
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  prettier,
);
