// The correlator service: `node dist/apps/correlator/src/main.js`, configured by SEQUENT_* variables.
import { redactConfig, runService } from '@sequent/platform';
import { correlatorConfigSchema, loadCorrelatorConfig } from './config';
import { CorrelatorModule } from './correlator.module';
import { CorrelatorService } from './correlator.service';

void runService({
  name: 'correlator',
  loadConfig: () => loadCorrelatorConfig(),
  logLevel: (config) => config.log.level,
  module: (config, logger) => CorrelatorModule.forRoot(config, logger),
  service: CorrelatorService,
  describe: (config) => redactConfig(correlatorConfigSchema, config),
  schema: correlatorConfigSchema,
});
