import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'lib/', 'dist/', 'imports/', 'schemas/', 'gitops/', 'test/fixtures/', '.tools/', 'coverage/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always'],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../charts*', '../environments*', '../main*', '../synth*', '../gate*'],
              message: 'constructs/ is the library: it must not import the app',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the library is restricted; the app may import anything.
    files: ['**/*.ts', '**/*.mjs'],
    ignores: ['constructs/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
