/** Unit, snapshot and invariant tests. @swc/jest transpiles only; `npm run typecheck` checks types. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  // Tests that start real servers run from scripts/test.sh, not here (the end-to-end run is in e2e/).
  testPathIgnorePatterns: ['/node_modules/'],
};
