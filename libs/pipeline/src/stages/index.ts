export * from './correlator-stage';
