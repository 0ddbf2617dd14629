// EQL evaluation: one sequence matcher for batch search and streaming, samples, pipes.
export * from './types';
export * from './ordinal';
export * from './sequence-matcher';
export * from './sample-matcher';
export * from './join-keys';
export * from './limits';
export * from './search';
