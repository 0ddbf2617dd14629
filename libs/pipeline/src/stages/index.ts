export * from './correlator-stage';
export * from './ingest-stage';
