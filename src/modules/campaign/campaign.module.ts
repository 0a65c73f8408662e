import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from '../admin/admin.module';
import { MessageModule } from '../message/message.module';
import { CampaignController } from './campaign.controller';
import { CampaignRepository } from './campaign.repository';
import { CampaignService } from './campaign.service';
import { CampaignUserRepository } from './campaign-user.repository';
import { CampaignSendingModule } from './sending/campaign-sending.module';
import { CampaignUserEntity } from './entities/campaign-user.entity';
import { CampaignEntity } from './entities/campaign.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([CampaignEntity, CampaignUserEntity]),
    AdminModule,
    MessageModule,
    CampaignSendingModule,
  ],
  controllers: [CampaignController],
  providers: [CampaignService, CampaignRepository, CampaignUserRepository],
  exports: [CampaignService, CampaignRepository, CampaignUserRepository],
})
export class CampaignModule {}
