import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@sequent/platform';
import type { CorrelatorConfig } from './config';
import { CorrelatorService } from './correlator.service';
import { CONFIG, LOGGER } from './tokens';

@Module({})
export class CorrelatorModule {
  static forRoot(config: CorrelatorConfig, logger: Logger): DynamicModule {
    return {
      module: CorrelatorModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        CorrelatorService,
      ],
    };
  }
}
