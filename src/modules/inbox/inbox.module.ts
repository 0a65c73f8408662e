import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from '../admin/admin.module';
import { MessageModule } from '../message/message.module';
import { InboxAppEntity } from './entities/inbox-app.entity';
import { InboxMessageEntity } from './entities/inbox-message.entity';
import { InboxController } from './inbox.controller';
import { InboxRepository } from './inbox.repository';
import { InboxService } from './inbox.service';

@Module({
  imports: [TypeOrmModule.forFeature([InboxMessageEntity, InboxAppEntity]), AdminModule, MessageModule],
  controllers: [InboxController],
  providers: [InboxService, InboxRepository],
})
export class InboxModule {}
