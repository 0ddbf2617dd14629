export * from './alert-view';
export * from './alert-feed';
export * from './alerter-metrics';
export * from './sinks';
export * from './alert-stage';
export * from './alerter-stage';
