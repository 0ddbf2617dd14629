// The alerter service: `node dist/apps/alerter/src/main.js`, configured by SEQUENT_* variables.
import { redactConfig, runService } from '@sequent/platform';
import { AlerterModule } from './alerter.module';
import { AlerterService } from './alerter.service';
import { alerterConfigSchema, loadAlerterConfig } from './config';

void runService({
  name: 'alerter',
  loadConfig: () => loadAlerterConfig(),
  logLevel: (config) => config.log.level,
  module: (config, logger) => AlerterModule.forRoot(config, logger),
  service: AlerterService,
  describe: (config) => redactConfig(alerterConfigSchema, config),
  schema: alerterConfigSchema,
});
