import { Module } from '@nestjs/common';
import { DeviceModule } from '../../device/device.module';
import { MessageModule } from '../../message/message.module';
import { CampaignLiveController } from './campaign-live.controller';
import { CampaignRunRepository } from './campaign-run.repository';
import { CampaignSender } from './campaign-sender.service';

/** Live campaign sends: background runs over the delivery pipeline, and their progress. */
@Module({
  imports: [MessageModule, DeviceModule],
  controllers: [CampaignLiveController],
  providers: [CampaignSender, CampaignRunRepository],
  exports: [CampaignSender],
})
export class CampaignSendingModule {}
