module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ecs',
  rootDir: __dirname,
};
