import { DeviceTarget, Platform, ProviderApp, PushNotification } from '../../../providers/push-provider';

/** How a device's first attempt ended, as the SYNCHRONOUS response counts it. */
export type FirstAttemptResult = 'sent' | 'failed' | 'pending';

/** One notification to one device: a push_message row being worked on. */
export interface DeliveryJob {
  /** push_message.id */
  messageId: number;
  /** push_app_credentials.id */
  appCredentialsId: number;
  app: ProviderApp;
  platform: Platform;
  target: DeviceTarget;
  notification: PushNotification;
  /** Attempts already made. */
  attempts: number;
  lastError: string | null;
  /** Resolved after the first attempt's outcome is stored (SYNCHRONOUS sends wait for it). */
  onFirstAttempt?: (result: FirstAttemptResult) => void;
}
