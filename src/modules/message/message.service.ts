import { Inject, Injectable, Logger } from '@nestjs/common';
import { platformKeys, PlatformKeys } from '../../common/api-naming';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { PushServerError } from '../../common/errors/push-server.error';
import { requireNotBlank, requirePresent } from '../../common/validation/require-field';
import { Platform, PushNotification } from '../../providers/push-provider';
import { DeviceRegistrationRepository } from '../device/device-registration.repository';
import { DeliveryJob, FirstAttemptResult } from './delivery/delivery-job';
import { DeliveryDispatcher } from './delivery/delivery.dispatcher';
import { planDeliveries, PlannedDelivery } from './delivery/delivery-planner';
import { ProviderAppService, SendingApp } from './delivery/provider-app.service';
import { encodeContent, toPushContent } from './delivery/push-content.codec';
import {
  PushMessageBodyDto,
  PushMessageDto,
  SendMessageBatchRequest,
  SendMessageRequest,
} from './dto/message.requests';
import { PushMessageRepository } from './push-message.repository';
import { ApiAccess } from '../auth/api-access';

const BATCH_MAX = 20;

export interface SendCounters {
  sent: number;
  failed: number;
  pending: number;
  total: number;
}

type Mode = 'SYNCHRONOUS' | 'ASYNCHRONOUS';

/**
 * `/push/message/send` and `/batch/send`: validates with the original's messages, picks the user's devices,
 * records one push_message row per device before answering, and hands the rows to the dispatcher.
 */
@Injectable()
export class MessageService {
  private readonly logger = new Logger('MessageService');
  private readonly keys: PlatformKeys;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly providerApps: ProviderAppService,
    private readonly devices: DeviceRegistrationRepository,
    private readonly messages: PushMessageRepository,
    private readonly dispatcher: DeliveryDispatcher,
  ) {
    this.keys = platformKeys(config.apiNaming);
  }

  async send(request: SendMessageRequest, access: ApiAccess) {
    const message = requirePresent(request.message, 'Message must not be empty');
    const appId = requireNotBlank(request.appId, 'App ID must not be null.');
    access.assertApp(appId);
    checkMessage(message);
    const app = await this.requireApp(appId);
    const notification = notificationOf(message);
    this.checkPayload(app, notification);
    return this.deliver(app, [message], [notification], (request.mode as Mode | null) ?? 'SYNCHRONOUS');
  }

  async sendBatch(request: SendMessageBatchRequest, access: ApiAccess) {
    const batch = requirePresent(request.batch, 'Batch must not be empty');
    if (batch.length === 0) throw PushServerError.generic('There are no push messages in the batch.');
    if (batch.length > BATCH_MAX) {
      throw PushServerError.generic(
        'Too many messages in batch - do no send more than 20 messages at once to avoid server congestion.',
      );
    }
    const appId = requireNotBlank(request.appId, 'App ID must not be null.');
    access.assertApp(appId);
    batch.forEach((message, index) => inBatch(index, () => checkMessage(message)));
    const app = await this.requireApp(appId);
    const notifications = batch.map(notificationOf);
    notifications.forEach((notification, index) =>
      inBatch(index, () => this.checkPayload(app, notification)),
    );
    return this.deliver(app, batch, notifications, (request.mode as Mode | null) ?? 'SYNCHRONOUS');
  }

  /**
   * The 400 a send of `body` to the app would answer for the payload (over 4 KB for a configured provider), for a body
   * stored now and sent later (a campaign message).
   */
  async checkBody(appId: string, body: PushMessageBodyDto): Promise<void> {
    const app = await this.requireApp(appId);
    this.checkPayload(app, notificationOf({ body }));
  }

  private async requireApp(appId: string): Promise<SendingApp> {
    const app = await this.providerApps.byAppId(appId);
    if (!app) throw PushServerError.generic(`AppCredentials not found: ${appId}`);
    return app;
  }

  /** A notification no provider of the app could take (over 4 KB) is refused before anything is recorded. */
  private checkPayload(app: SendingApp, notification: PushNotification): void {
    for (const platform of ['apns', 'fcm', 'hms'] as const) {
      if (!app.provider[platform]) continue;
      const problem = this.dispatcher.provider(platform).checkPayload(notification);
      if (problem) throw PushServerError.generic(problem);
    }
  }

  /** `notifications[i]` is the notification of `messages[i]`, built once by the caller. */
  private async deliver(
    app: SendingApp,
    messages: PushMessageDto[],
    notifications: PushNotification[],
    mode: Mode,
  ) {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + this.config.sending.leaseMs);
    const devices = await this.devices.findForUsers(
      app.id,
      messages.map((message) => message.userId!),
    );
    const targets = messages.map((message, index) => ({
      message,
      notification: notifications[index],
      devices: devices.filter(
        (device) =>
          device.userId === message.userId &&
          (!message.activationId || device.activationId === message.activationId) &&
          (!message.attributes?.personal || device.active === true),
      ),
    }));
    const sending = targets.filter((target) => target.devices.length > 0);

    // Atomic: either every row of the request is on disk, or none is (and nothing is sent).
    let plannedRows: PlannedDelivery[] = [];
    const stored = await this.messages.insertSend(
      sending.map(({ message, notification }) => ({
        appId: app.id,
        body: encodeContent(notification.content),
        priority: notification.priority,
        silent: notification.silent,
        personal: message.attributes?.personal ?? false,
        validUntil: notification.content.validUntil ?? null,
        timestampCreated: now,
      })),
      (contentIds) => {
        const context = {
          now,
          leaseUntil,
          leaseOwner: this.dispatcher.leaseOwner,
          apnsUseDevelopment: this.config.apnsUseDevelopment,
        };
        plannedRows = sending.flatMap(({ message, notification, devices }, index) =>
          planDeliveries(
            app,
            devices,
            {
              notification,
              contentId: contentIds[index],
              personal: message.attributes?.personal ?? false,
              campaignId: null,
              recipient: () => ({ userId: message.userId!, activationId: message.activationId ?? null }),
            },
            context,
          ),
        );
        return plannedRows.map((p) => p.row);
      },
    );
    const planned = plannedRows.map((p, index) => ({ ...p, id: stored[index].id }));
    if (planned.length === 0)
      this.logger.warn(`No device found for the message(s) to app ${app.provider.appId}`);

    const counters = { apns: emptyCounters(), fcm: emptyCounters(), hms: emptyCounters() };
    const firstAttempts: Array<Promise<[Platform, FirstAttemptResult]>> = [];
    const jobs: DeliveryJob[] = [];
    for (const p of planned) {
      if (!p.platform) continue;
      counters[p.platform].total++;
      if (!p.job) {
        counters[p.platform].failed++;
        continue;
      }
      const job: DeliveryJob = { ...p.job, messageId: p.id };
      if (mode === 'SYNCHRONOUS') {
        const platform = p.platform;
        firstAttempts.push(
          new Promise((resolve) => (job.onFirstAttempt = (result) => resolve([platform, result]))),
        );
      }
      jobs.push(job);
    }
    this.dispatcher.dispatch(jobs);
    if (mode === 'ASYNCHRONOUS') return { mode };

    const settled = await settleWithin(firstAttempts, this.config.sending.syncTimeoutMs);
    for (const platform of ['apns', 'fcm', 'hms'] as const) {
      const dispatched = jobs.filter((job) => job.platform === platform).length;
      const results = settled.filter(([p]) => p === platform).map(([, result]) => result);
      counters[platform].sent += results.filter((r) => r === 'sent').length;
      counters[platform].failed += results.filter((r) => r === 'failed').length;
      counters[platform].pending += dispatched - results.filter((r) => r !== 'pending').length;
    }
    return {
      mode,
      [this.keys.apns]: counters.apns,
      [this.keys.fcm]: counters.fcm,
      [this.keys.hms]: counters.hms,
    };
  }
}

function checkMessage(message: PushMessageDto): void {
  requirePresent(message.body, 'Push message payload (body) must not be null.');
  const userId = requirePresent(message.userId, 'Push message must contain a user ID.');
  if (userId.trim() === '') throw PushServerError.generic('No userId was specified');
}

function inBatch(index: number, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof PushServerError)) throw error;
    throw PushServerError.generic(
      `Push message at index: ${index} is not valid. Nested error is: ${error.message}`,
    );
  }
}

function notificationOf(message: PushMessageDto): PushNotification {
  return {
    content: toPushContent(message.body!),
    silent: message.attributes?.silent ?? false,
    priority: message.priority === 'NORMAL' ? 'NORMAL' : 'HIGH',
  };
}

function emptyCounters(): SendCounters {
  return { sent: 0, failed: 0, pending: 0, total: 0 };
}

/** The results that arrive within the time limit; the rest still count as pending. */
async function settleWithin<T>(promises: Promise<T>[], timeoutMs: number): Promise<T[]> {
  const results: T[] = [];
  const all = Promise.all(promises.map((promise) => promise.then((result) => void results.push(result))));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  return results;
}
