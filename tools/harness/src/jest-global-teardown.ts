// Stops what jest-global-setup started; later teardowns of the same run find nothing to stop.
import { sharedServices } from './shared-services';

export default async function globalTeardown(): Promise<void> {
  const handles = sharedServices.handles;
  if (!handles) return;
  sharedServices.handles = undefined;
  await Promise.all([handles.redis?.stop(), handles.kafka?.stop()]);
  if (handles.redis) delete process.env.SEQUENT_TEST_REDIS_URL;
  if (handles.kafka) delete process.env.SEQUENT_TEST_KAFKA_BROKERS;
}
