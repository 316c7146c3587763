/** Integration tests: real servers from Debian packages, started on loopback. Run by `npm run test:integration`. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/integration'],
  testMatch: ['**/*.integration.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 180000,
  // Servers bind fixed loopback ports: one file at a time.
  maxWorkers: 1,
};
