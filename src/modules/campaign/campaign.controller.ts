import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { LargeBody } from '../../common/http/route-options';
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
import { ApiAccess, CallerAccess } from '../auth/api-access';

const USER_LIST = { maxItems: CAMPAIGN_USERS_MAX, itemMax: USER_ID_MAX };

/** `/push/campaign/*` with the original's method aliases; the live send is not here. */
@ApiTags('Campaign')
@RequireScope('campaign')
@Controller('push/campaign')
export class CampaignController {
  constructor(private readonly campaigns: CampaignService) {}

  @Post('create')
  @HttpCode(200)
  create(
    @RequestObject(CreateCampaignRequest) request: CreateCampaignRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.campaigns.create(request, access);
  }

  @Post(':id/delete')
  @HttpCode(200)
  postDelete(@IdParam() id: number, @CallerAccess() access: ApiAccess) {
    return this.campaigns.delete(id, access);
  }

  @Delete(':id/delete')
  deleteDelete(@IdParam() id: number, @CallerAccess() access: ApiAccess) {
    return this.campaigns.delete(id, access);
  }

  @Get(':id/detail')
  detail(@IdParam() id: number, @CallerAccess() access: ApiAccess) {
    return this.campaigns.detail(id, access);
  }

  @Get('list')
  list(@ValidQuery(CampaignListQuery) query: CampaignListQuery, @CallerAccess() access: ApiAccess) {
    return this.campaigns.list(query, access);
  }

  @Post(':id/user/add')
  @HttpCode(200)
  @LargeBody()
  postAddUsers(
    @IdParam() id: number,
    @RequestTextList(USER_LIST) users: string[] | null,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.campaigns.addUsers(id, users, access);
  }

  @Put(':id/user/add')
  @LargeBody()
  putAddUsers(
    @IdParam() id: number,
    @RequestTextList(USER_LIST) users: string[] | null,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.campaigns.addUsers(id, users, access);
  }

  @Get(':id/user/list')
  listUsers(
    @IdParam() id: number,
    @ValidQuery(PageQuery) query: PageQuery,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.campaigns.listUsers(id, query, access);
  }

  @Post(':id/user/delete')
  @HttpCode(200)
  @LargeBody()
  postDeleteUsers(
    @IdParam() id: number,
    @RequestTextList({ ...USER_LIST, notNull: true }) users: string[],
    @CallerAccess() access: ApiAccess,
  ) {
    return this.campaigns.deleteUsers(id, users, access);
  }

  @Delete(':id/user/delete')
  @LargeBody()
  deleteDeleteUsers(
    @IdParam() id: number,
    @RequestTextList({ ...USER_LIST, notNull: true }) users: string[],
    @CallerAccess() access: ApiAccess,
  ) {
    return this.campaigns.deleteUsers(id, users, access);
  }

  @Post('send/test/:id')
  @HttpCode(200)
  sendTest(
    @IdParam() id: number,
    @RequestObject(TestCampaignRequest) request: TestCampaignRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.campaigns.sendTest(id, request, access);
  }
}
