import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../../common/validation/page-query';
import { IdParam, ValidQuery } from '../../common/validation/query.decorator';
import { RequestObject, RequestTextList } from '../../common/validation/request-object.decorator';
import { CampaignService } from './campaign.service';
import {
  CAMPAIGN_USERS_MAX,
  CampaignListQuery,
  CreateCampaignRequest,
  TestCampaignRequest,
  USER_ID_MAX,
} from './dto/campaign.requests';
import { RequireScope } from '../auth/auth.decorators';

const USER_LIST = { maxItems: CAMPAIGN_USERS_MAX, itemMax: USER_ID_MAX };

/** `/push/campaign/*` with the original's method aliases; the live send is not here. */
@ApiTags('Campaign')
@RequireScope('campaign')
@Controller('push/campaign')
export class CampaignController {
  constructor(private readonly campaigns: CampaignService) {}

  @Post('create')
  @HttpCode(200)
  create(@RequestObject(CreateCampaignRequest) request: CreateCampaignRequest) {
    return this.campaigns.create(request);
  }

  @Post(':id/delete')
  @HttpCode(200)
  postDelete(@IdParam() id: number) {
    return this.campaigns.delete(id);
  }

  @Delete(':id/delete')
  deleteDelete(@IdParam() id: number) {
    return this.campaigns.delete(id);
  }

  @Get(':id/detail')
  detail(@IdParam() id: number) {
    return this.campaigns.detail(id);
  }

  @Get('list')
  list(@ValidQuery(CampaignListQuery) query: CampaignListQuery) {
    return this.campaigns.list(query);
  }

  @Post(':id/user/add')
  @HttpCode(200)
  postAddUsers(@IdParam() id: number, @RequestTextList(USER_LIST) users: string[] | null) {
    return this.campaigns.addUsers(id, users);
  }

  @Put(':id/user/add')
  putAddUsers(@IdParam() id: number, @RequestTextList(USER_LIST) users: string[] | null) {
    return this.campaigns.addUsers(id, users);
  }

  @Get(':id/user/list')
  listUsers(@IdParam() id: number, @ValidQuery(PageQuery) query: PageQuery) {
    return this.campaigns.listUsers(id, query);
  }

  @Post(':id/user/delete')
  @HttpCode(200)
  postDeleteUsers(@IdParam() id: number, @RequestTextList({ ...USER_LIST, notNull: true }) users: string[]) {
    return this.campaigns.deleteUsers(id, users);
  }

  @Delete(':id/user/delete')
  deleteDeleteUsers(
    @IdParam() id: number,
    @RequestTextList({ ...USER_LIST, notNull: true }) users: string[],
  ) {
    return this.campaigns.deleteUsers(id, users);
  }

  @Post('send/test/:id')
  @HttpCode(200)
  sendTest(@IdParam() id: number, @RequestObject(TestCampaignRequest) request: TestCampaignRequest) {
    return this.campaigns.sendTest(id, request);
  }
}
