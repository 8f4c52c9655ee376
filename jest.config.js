/**
 * Jest for the TypeScript packages. ts-jest transpiles only (isolatedModules); type checking is
 * `npm run typecheck` (tsc -b), which the test command runs first.
 */
const tsJest = ['ts-jest', { tsconfig: { module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true } }];
// ESM-only packages (@kubernetes/client-node 1.x with the dependencies in its own node_modules, and
// oauth4webapi) are transpiled to CommonJS like the tests; every other node_modules file loads as is.
const ESM_ONLY = '@kubernetes/client-node|oauth4webapi';
const esmJs = ['ts-jest', { tsconfig: { module: 'commonjs', target: 'ES2022', allowJs: true, isolatedModules: true } }];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.tsx?$': tsJest, [`/node_modules/(${ESM_ONLY})/.+\\.js$`]: esmJs },
  transformIgnorePatterns: [`^(?!.*/node_modules/(${ESM_ONLY})/).*/node_modules/`],
  moduleNameMapper: { '^@clusterhub/shared$': '<rootDir>/../shared/src/index.ts' },
};
module.exports = {
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'shared', rootDir: 'packages/shared', testMatch: ['<rootDir>/src/**/*.test.ts'] },
    { ...common, displayName: 'lab-unit', rootDir: 'packages/lab-extension', testMatch: ['<rootDir>/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'hub-unit',
      rootDir: 'packages/hub-service',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'hub-integration',
      rootDir: 'packages/hub-service',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
    },
  ],
};
