import { ApnsEnvironment, DeviceTarget, Platform, platformOf } from '../../../providers/push-provider';
import { SendingApp } from './provider-app.service';

export interface RoutableDevice {
  platform: string;
  pushToken: string;
  environment: string | null;
}

export type Route =
  | { platform: Platform; target: DeviceTarget; failure?: undefined }
  | { platform: Platform; failure: string }
  | { platform?: undefined; failure: string };

const NAMES: Record<Platform, string> = { apns: 'APNs', fcm: 'FCM', hms: 'HMS' };

/**
 * Where a device's notification goes: its platform and, for APNs, its environment (the device's, else the app's,
 * else APNS_USE_DEVELOPMENT). A development device of an app that uses production cannot be reached (compat
 * notes 4.3), and neither can a platform the app has no credentials for.
 */
export function routeDevice(app: SendingApp, device: RoutableDevice, apnsUseDevelopment: boolean): Route {
  const platform = platformOf(device.platform);
  if (!platform) return { failure: `Unknown platform ${device.platform}` };
  if (!app.provider[platform])
    return { platform, failure: `${NAMES[platform]} is not configured for this app` };
  if (platform !== 'apns') return { platform, target: { token: device.pushToken } };

  const appEnvironment: ApnsEnvironment =
    app.apnsEnvironment ?? (apnsUseDevelopment ? 'development' : 'production');
  if (device.environment === 'production') {
    return { platform, target: { token: device.pushToken, apnsEnvironment: 'production' } };
  }
  if (device.environment === 'development' && appEnvironment !== 'development') {
    return { platform, failure: 'APNs development device, but the app sends through APNs production' };
  }
  return { platform, target: { token: device.pushToken, apnsEnvironment: appEnvironment } };
}
