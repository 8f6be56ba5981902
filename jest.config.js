/** Jest runs the TypeScript sources through SWC (no type checking: `make lint` does that).
 *  Integration tests spawn child processes from the built JavaScript in dist/, so the
 *  global setup refuses to run when dist/ is older than its sources (test/setup/stale-build.js). */
module.exports = {
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  roots: ['<rootDir>/test', '<rootDir>/clients/typescript/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60_000,
  // Two cores in CI: the crash and integration suites start real processes.
  maxWorkers: 2,
};
