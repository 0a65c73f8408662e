import type { ApiNaming } from './config/app-config';

/**
 * Response keys per API_NAMING: 1.10+/2.x clients read apns/fcm/hms, clients up to 1.9 read ios/android/huawei.
 * Requests accept both spellings always.
 */
export interface PlatformKeys {
  apns: 'apns' | 'ios';
  fcm: 'fcm' | 'android';
  hms: 'hms' | 'huawei';
}

export function platformKeys(naming: ApiNaming): PlatformKeys {
  return naming === 'legacy'
    ? { apns: 'ios', fcm: 'android', hms: 'huawei' }
    : { apns: 'apns', fcm: 'fcm', hms: 'hms' };
}
