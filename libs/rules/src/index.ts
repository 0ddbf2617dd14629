export * from './compiled-rule';
// TODO: re-enable once the EQL / KQL / match engineers' modules land.
export * from './eql';
export * from './kql';
export * from './match';
export * from './loader';
export * from './schema';
export * from './exceptions';
export * from './index-pattern';
export * from './compile';
export * from './validate';
export * from './export';
