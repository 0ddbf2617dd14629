// The ingest service: `node dist/apps/ingest/src/main.js`, configured by SEQUENT_* variables.
import { redactConfig, runService } from '@sequent/platform';
import { ingestConfigSchema, loadIngestConfig } from './config';
import { IngestModule } from './ingest.module';
import { IngestService } from './ingest.service';

void runService({
  name: 'ingest',
  loadConfig: () => loadIngestConfig(),
  logLevel: (config) => config.log.level,
  module: (config, logger) => IngestModule.forRoot(config, logger),
  service: IngestService,
  describe: (config) => redactConfig(ingestConfigSchema, config),
  schema: ingestConfigSchema,
});
