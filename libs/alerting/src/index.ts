// @sequent/alerting: the alerter's decisions, pure (no Kafka, Redis or process globals):
// candidate validation, dedupe, risk mapping, Kibana-like suppression, per-rule rate cap,
// entity risk scoring, alert filters. State lives behind injected stores.
export * from './fields';
export * from './candidate';
export * from './risk-mapping';
export * from './suppression';
export * from './entity-risk';
export * from './processor';
export * from './memory-stores';
export * from './filter';
export * from './test-candidates';
