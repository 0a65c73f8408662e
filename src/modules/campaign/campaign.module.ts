import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from '../admin/admin.module';
import { MessageModule } from '../message/message.module';
import { CampaignController } from './campaign.controller';
import { CampaignRepository } from './campaign.repository';
import { CampaignService } from './campaign.service';
import { CampaignUserRepository } from './campaign-user.repository';
import { DeviceModule } from '../device/device.module';
import { CampaignLiveController } from './sending/campaign-live.controller';
import { CampaignRunRepository } from './sending/campaign-run.repository';
import { CampaignSender } from './sending/campaign-sender.service';
import { CampaignRunEntity } from './entities/campaign-run.entity';
import { CampaignUserEntity } from './entities/campaign-user.entity';
import { CampaignEntity } from './entities/campaign.entity';

/** `/push/campaign/*`: campaigns and their users (CampaignService), and the live send (sending/CampaignSender). */
@Module({
  imports: [
    TypeOrmModule.forFeature([CampaignEntity, CampaignUserEntity, CampaignRunEntity]),
    AdminModule,
    DeviceModule,
    MessageModule,
  ],
  controllers: [CampaignController, CampaignLiveController],
  providers: [
    CampaignService,
    CampaignRepository,
    CampaignUserRepository,
    CampaignSender,
    CampaignRunRepository,
  ],
  exports: [CampaignService, CampaignRepository, CampaignUserRepository],
})
export class CampaignModule {}
