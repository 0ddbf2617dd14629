import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@sequent/platform';
import { AlerterService } from './alerter.service';
import type { AlerterConfig } from './config';
import { CONFIG, LOGGER } from './tokens';

@Module({})
export class AlerterModule {
  static forRoot(config: AlerterConfig, logger: Logger): DynamicModule {
    return {
      module: AlerterModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        AlerterService,
      ],
    };
  }
}
