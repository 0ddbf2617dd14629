import type { KafkaHandle } from './kafka';
import type { RedisHandle } from './redis';

/**
 * Where global setup leaves the running services for global teardown. Kept on globalThis because
 * Jest may load the setup and teardown modules through separate module registries.
 */
const key = Symbol.for('sequent.harness.sharedServices');
type Holder = { handles?: { redis?: RedisHandle; kafka?: KafkaHandle } };
const scope = globalThis as unknown as Record<symbol, Holder | undefined>;
export const sharedServices: Holder = (scope[key] ??= {});
