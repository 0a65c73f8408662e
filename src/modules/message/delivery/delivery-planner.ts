import { Platform, PushNotification } from '../../../providers/push-provider';
import { SendableDevice } from '../../device/device-registration.repository';
import { PushMessageStatus } from '../entities/push-message.entity';
import { NewPushMessage } from '../push-message.repository';
import { DeliveryJob } from './delivery-job';
import { routeDevice } from './device-routing';
import { SendingApp } from './provider-app.service';
import { encodeContent, legacyMessageBody } from './push-content.codec';

/** A device's push_message row, and the job that sends it unless the device cannot be reached. */
export interface PlannedDelivery {
  row: NewPushMessage;
  platform?: Platform;
  job?: Omit<DeliveryJob, 'messageId'>;
}

/** One notification (one push_message_content row) going to some devices. */
export interface DeliverySend {
  notification: PushNotification;
  contentId: number;
  personal: boolean;
  campaignId: number | null;
  /** user_id and activation_id recorded for a device. */
  recipient(device: SendableDevice): { userId: string; activationId: string | null };
}

export interface PlanContext {
  now: Date;
  /** Rows start leased to this node until then. */
  leaseUntil: Date;
  leaseOwner: string;
  apnsUseDevelopment: boolean;
}

/** One row per device, leased to this node; a device that cannot be reached is recorded FAILED at once. */
export function planDeliveries(
  app: SendingApp,
  devices: SendableDevice[],
  send: DeliverySend,
  context: PlanContext,
): PlannedDelivery[] {
  const { notification, contentId } = send;
  const { now, leaseUntil } = context;
  const messageBody = legacyMessageBody(encodeContent(notification.content), contentId);
  return devices.map((device): PlannedDelivery => {
    const route = routeDevice(app, device, context.apnsUseDevelopment);
    const row: NewPushMessage = {
      deviceRegistrationId: device.id,
      ...send.recipient(device),
      silent: notification.silent,
      personal: send.personal,
      messageBody,
      timestampCreated: now,
      status: route.failure ? PushMessageStatus.FAILED : PushMessageStatus.PENDING,
      contentId,
      attempts: 0,
      nextAttemptAt: route.failure ? null : leaseUntil,
      leaseOwner: route.failure ? null : context.leaseOwner,
      providerMessageId: null,
      lastError: route.failure ?? null,
      timestampFinished: route.failure ? now : null,
      campaignId: send.campaignId,
    };
    if (route.failure !== undefined) return { row, platform: route.platform };
    return {
      row,
      platform: route.platform,
      job: {
        appCredentialsId: app.id,
        app: app.provider,
        platform: route.platform,
        target: route.target,
        notification,
        attempts: 0,
        lastError: null,
      },
    };
  });
}
