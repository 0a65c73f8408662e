import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProvidersModule } from '../../providers/providers.module';
import { AdminModule } from '../admin/admin.module';
import { DeviceModule } from '../device/device.module';
import { DeliveryRecoveryService } from './delivery/delivery-recovery.service';
import { DeliveryDispatcher } from './delivery/delivery.dispatcher';
import { ProviderAppService } from './delivery/provider-app.service';
import { StatusWriter } from './delivery/status-writer';
import { PushMessageContentEntity } from './entities/push-message-content.entity';
import { PushMessageEntity } from './entities/push-message.entity';
import { MessageController } from './message.controller';
import { MessageService } from './message.service';
import { PushMessageRepository } from './push-message.repository';
import { InMemoryJobQueueDriver } from './queue/in-memory-job-queue.driver';
import { JOB_QUEUE_DRIVER } from './queue/job-queue';

@Module({
  imports: [
    TypeOrmModule.forFeature([PushMessageEntity, PushMessageContentEntity]),
    AdminModule,
    DeviceModule,
    ProvidersModule,
  ],
  controllers: [MessageController],
  providers: [
    MessageService,
    PushMessageRepository,
    ProviderAppService,
    StatusWriter,
    DeliveryDispatcher,
    DeliveryRecoveryService,
    { provide: JOB_QUEUE_DRIVER, useClass: InMemoryJobQueueDriver },
  ],
  exports: [DeliveryDispatcher, ProviderAppService, PushMessageRepository, MessageService],
})
export class MessageModule {}
