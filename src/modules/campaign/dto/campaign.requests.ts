import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Nested, QueryBool, Text } from '../../../common/validation/constraints';
import { PageQuery } from '../../../common/validation/page-query';
import { PushMessageBodyDto } from '../../message/dto/message.requests';

/** Most user ids one `/user/add` or `/user/delete` request may carry. */
export const CAMPAIGN_USERS_MAX = 100_000;
/** push_campaign_user.user_id is VARCHAR(255). */
export const USER_ID_MAX = 255;

export class CreateCampaignRequest {
  @ApiProperty({ example: 'mobile-app' }) @Text({ max: 255 }) appId?: string | null;
  @ApiProperty({ type: PushMessageBodyDto })
  @Nested(() => PushMessageBodyDto)
  message?: PushMessageBodyDto | null;
}

export class TestCampaignRequest {
  @ApiProperty({ example: '123' }) @Text({ max: USER_ID_MAX }) userId?: string | null;
}

/** `page` and `size` are not in the original: without them the list answers its first UNPAGED_LIST_MAX campaigns. */
export class CampaignListQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'true: every campaign; false or missing: the campaigns not sent yet',
    default: false,
  })
  @QueryBool()
  all?: string;
}
