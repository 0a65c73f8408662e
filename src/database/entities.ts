import { AppCredentialsStatusEntity } from '../modules/admin/entities/app-credentials-status.entity';
import { AppCredentialsEntity } from '../modules/admin/entities/app-credentials.entity';
import { ApiClientEntity } from '../modules/auth/entities/api-client.entity';
import { AuditLogEntity } from '../modules/audit/entities/audit-log.entity';
import { CampaignRunEntity } from '../modules/campaign/entities/campaign-run.entity';
import { CampaignUserEntity } from '../modules/campaign/entities/campaign-user.entity';
import { CampaignEntity } from '../modules/campaign/entities/campaign.entity';
import { DeviceRegistrationEntity } from '../modules/device/entities/device-registration.entity';
import { InboxAppEntity } from '../modules/inbox/entities/inbox-app.entity';
import { InboxMessageEntity } from '../modules/inbox/entities/inbox-message.entity';
import { PushMessageContentEntity } from '../modules/message/entities/push-message-content.entity';
import { PushMessageEntity } from '../modules/message/entities/push-message.entity';

/** Every entity the server maps. */
export const ENTITIES = [
  AppCredentialsEntity,
  DeviceRegistrationEntity,
  PushMessageEntity,
  CampaignEntity,
  CampaignUserEntity,
  InboxMessageEntity,
  InboxAppEntity,
  PushMessageContentEntity,
  AppCredentialsStatusEntity,
  CampaignRunEntity,
  ApiClientEntity,
  AuditLogEntity,
];
