import { PowerAuthBaseSchema1763800000000 } from './1763800000000-powerauth-base-schema';
import { DeliveryQueue1763900000000 } from './1763900000000-delivery-queue';
import { InboxIndexes1764000000001 } from './1764000000001-inbox-indexes';

/** Every migration, oldest first. */
export const MIGRATIONS = [
  PowerAuthBaseSchema1763800000000,
  DeliveryQueue1763900000000,
  InboxIndexes1764000000001,
];
