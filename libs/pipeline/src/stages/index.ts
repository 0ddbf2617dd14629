export * from './correlator-stage';
export * from './ingest-stage';
export * from './alerter';
