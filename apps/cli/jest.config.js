module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'cli',
  rootDir: __dirname,
  globalSetup: '<rootDir>/../../tools/harness/src/jest-global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/harness/src/jest-global-teardown.ts',
};
