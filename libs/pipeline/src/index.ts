export * from './bus';
export * from './memory-bus';
export * from './stage';
export * from './stage-metrics';
export * from './embedded';
export * from './stages';
