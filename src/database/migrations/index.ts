import { PowerAuthBaseSchema1763800000000 } from './1763800000000-powerauth-base-schema';

/** Every migration, oldest first. */
export const MIGRATIONS = [PowerAuthBaseSchema1763800000000];
