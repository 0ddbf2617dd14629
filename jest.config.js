// One Jest run for the whole workspace (`npm test`): every project, one real Redis and one
// real Kafka-protocol broker shared by the projects that need them (see tools/harness).
module.exports = {
  projects: [
    '<rootDir>/libs/ecs',
    '<rootDir>/libs/rules',
    '<rootDir>/libs/engine',
    '<rootDir>/libs/platform',
    '<rootDir>/libs/pipeline',
    '<rootDir>/libs/generator',
    '<rootDir>/libs/alerting',
    '<rootDir>/apps/cli',
    '<rootDir>/apps/ingest',
    '<rootDir>/apps/correlator',
    '<rootDir>/apps/alerter',
    '<rootDir>/tools',
  ],
};
