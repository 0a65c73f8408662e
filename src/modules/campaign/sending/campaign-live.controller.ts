import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../../../common/validation/query.decorator';
import { CampaignSender } from './campaign-sender.service';
import { RequireScope } from '../../auth/auth.decorators';
import { ApiAccess, CallerAccess } from '../../auth/api-access';

@ApiTags('Campaign')
@RequireScope('campaign')
@Controller('push/campaign')
export class CampaignLiveController {
  constructor(private readonly sender: CampaignSender) {}

  @Post('send/live/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a campaign to all its users in the background (answers once it is queued)' })
  sendLive(@IdParam() id: number, @CallerAccess() access: ApiAccess) {
    return this.sender.sendLive(id, access);
  }

  @Get(':id/progress')
  @ApiOperation({ summary: 'State and device counters of a live campaign send' })
  progress(@IdParam() id: number, @CallerAccess() access: ApiAccess) {
    return this.sender.progress(id, access);
  }
}
