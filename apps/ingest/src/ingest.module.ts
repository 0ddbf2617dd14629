import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@sequent/platform';
import type { IngestConfig } from './config';
import { IngestService } from './ingest.service';
import { CONFIG, LOGGER } from './tokens';

@Module({})
export class IngestModule {
  static forRoot(config: IngestConfig, logger: Logger): DynamicModule {
    return {
      module: IngestModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        IngestService,
      ],
    };
  }
}
