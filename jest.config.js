/**
 * Unit specs sit next to the code; end-to-end suites live under test/.
 *
 * NestJS 12 ships as ES modules only. The app itself loads them through Node's require(esm),
 * but Jest's module registry cannot do that before Node 24.9, so the ESM-only packages are
 * compiled to CommonJS by SWC for the tests, like our own TypeScript.
 */
const ESM_ONLY = ['@nestjs', 'uid', 'jose'];

const transform = { '^.+\\.(t|j)s$': ['@swc/jest'] };
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  setupFiles: ['reflect-metadata'],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // In-tree modules import the package by its name, as apps that depend on it do.
  moduleNameMapper: { '^mcp-platform$': '<rootDir>/../src/index.ts', '^mcp-platform/platform$': '<rootDir>/../src/platform.ts' },
};

module.exports = {
  // The e2e suites mostly wait on servers they start: two workers even on a 2-core machine.
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
  // A project's own testTimeout is not applied by Jest: set here, for every suite.
  testTimeout: 20_000,
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testMatch: ['**/*.spec.ts'] },
    { ...common, displayName: 'e2e', rootDir: 'test', testMatch: ['**/*.e2e-spec.ts'], globalSetup: '<rootDir>/global-setup.js' },
  ],
};
