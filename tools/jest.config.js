module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'tools',
  rootDir: __dirname,
  globalSetup: '<rootDir>/harness/src/jest-global-setup.ts',
  globalTeardown: '<rootDir>/harness/src/jest-global-teardown.ts',
};
