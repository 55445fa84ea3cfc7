import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const electronOnlyInMain = {
  paths: [{ name: 'electron', message: 'Only main/ may import electron; src/ is the Electron-free core.' }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'renderer/dist/**', 'main/dist/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**', 'renderer/**', 'test/**', 'bench/**', 'scripts/**'],
    // main/'s tests type their fakes with Electron's own types.
    ignores: ['test/unit/main/**'],
    rules: { 'no-restricted-imports': ['error', electronOnlyInMain] },
  },
  {
    // The renderer runs in a page (Electron's sandboxed one, or a browser): no Node, no Electron.
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInMain,
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'http', 'net', 'crypto', 'child_process'],
              message: 'renderer/ runs in a page: browser APIs only.',
            },
          ],
        },
      ],
    },
  },
);
