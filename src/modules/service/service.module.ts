import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { ServiceController } from './service.controller';
import { ServiceStatusService } from './service-status.service';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [ServiceController, HealthController],
  providers: [ServiceStatusService],
})
export class ServiceModule {}
