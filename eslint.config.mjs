import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Which folder may import which is checked by dependency-cruiser (.dependency-cruiser.cjs).
  { ignores: ['node_modules/', 'build/', 'lib/', 'dist/', 'imports/', 'schemas/', 'gitops/', 'test/fixtures/', '.tools/', 'coverage/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Issue 10: no function in the library or the charts longer than about 80 lines.
    files: ['constructs/**/*.ts', 'charts/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
);
