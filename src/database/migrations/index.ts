import { PowerAuthBaseSchema1763800000000 } from './1763800000000-powerauth-base-schema';
import { DeliveryQueue1763900000000 } from './1763900000000-delivery-queue';
import { CampaignRuns1764000000000 } from './1764000000000-campaign-runs';
import { InboxIndexes1764000000001 } from './1764000000001-inbox-indexes';
import { Security1764100000000 } from './1764100000000-security';

/** Every migration, oldest first. */
export const MIGRATIONS = [
  PowerAuthBaseSchema1763800000000,
  DeliveryQueue1763900000000,
  CampaignRuns1764000000000,
  InboxIndexes1764000000001,
  Security1764100000000,
];
