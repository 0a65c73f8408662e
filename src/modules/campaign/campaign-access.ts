import { PushServerError } from '../../common/errors/push-server.error';
import { ApiAccess } from '../auth/api-access';
import { CampaignRecord } from './campaign.repository';

/** 403 unless the caller may act on the campaign's app; a campaign whose app is gone is out of a restricted reach. */
export function assertCampaignAccess(campaign: CampaignRecord, access: ApiAccess): void {
  const allowed = campaign.appId === null ? !access.restricted : access.mayUse(campaign.appId);
  if (!allowed) {
    throw new PushServerError(
      'ERROR_FORBIDDEN',
      `API client is not allowed to act on campaign ${campaign.id}`,
    );
  }
}
