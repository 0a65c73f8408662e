import { Inject, Injectable, Logger } from '@nestjs/common';
import { platformKeys, PlatformKeys } from '../../common/api-naming';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { PushServerError } from '../../common/errors/push-server.error';
import { requireNotBlank, requirePresent } from '../../common/validation/require-field';
import { Platform, PushNotification } from '../../providers/push-provider';
import { fitsEveryProvider } from '../../providers/shared/payload-bound';
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

/** A message of a send request with its notification and the notification's stored JSON, each built once. */
interface PreparedMessage {
  message: PushMessageDto;
  notification: PushNotification;
  /** push_message_content.body */
  encoded: string;
}

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
    const prepared = prepare(message);
    this.checkPayload(app, prepared);
    return this.deliver(app, [prepared], (request.mode as Mode | null) ?? 'SYNCHRONOUS');
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
    const prepared = batch.map(prepare);
    prepared.forEach((each, index) => inBatch(index, () => this.checkPayload(app, each)));
    return this.deliver(app, prepared, (request.mode as Mode | null) ?? 'SYNCHRONOUS');
  }

  /**
   * The 400 a send of `body` to the app would answer for the payload (over 4 KB for a configured provider), for a body
   * stored now and sent later (a campaign message).
   */
  async checkBody(appId: string, body: PushMessageBodyDto): Promise<void> {
    const app = await this.requireApp(appId);
    this.checkPayload(app, prepare({ body }));
  }

  private async requireApp(appId: string): Promise<SendingApp> {
    const app = await this.providerApps.byAppId(appId);
    if (!app) throw PushServerError.generic(`AppCredentials not found: ${appId}`);
    return app;
  }

  /**
   * A notification no provider of the app could take (over 4 KB) is refused before anything is recorded. A small
   * one cannot be too large for any provider, and its three payloads are not built here (they are again for the send).
   */
  private checkPayload(app: SendingApp, { notification, encoded }: PreparedMessage): void {
    if (fitsEveryProvider(Buffer.byteLength(encoded, 'utf8'))) return;
    for (const platform of ['apns', 'fcm', 'hms'] as const) {
      if (!app.provider[platform]) continue;
      const problem = this.dispatcher.provider(platform).checkPayload(notification);
      if (problem) throw PushServerError.generic(problem);
    }
  }

  private async deliver(app: SendingApp, messages: PreparedMessage[], mode: Mode) {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + this.config.sending.leaseMs);
    const devices = await this.devices.findForUsers(
      app.id,
      messages.map(({ message }) => message.userId!),
    );
    const targets = messages.map(({ message, notification, encoded }) => ({
      message,
      notification,
      encoded,
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
      sending.map(({ message, notification, encoded }) => ({
        appId: app.id,
        body: encoded,
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
    const dispatched = { apns: 0, fcm: 0, hms: 0 };
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
      dispatched[p.platform]++;
      jobs.push(job);
    }
    this.dispatcher.dispatch(jobs);
    if (mode === 'ASYNCHRONOUS') return { mode };

    // What has not answered sent or failed in time (still retrying, or not yet tried) counts as pending.
    const answered = { apns: 0, fcm: 0, hms: 0 };
    for (const [platform, result] of await settleWithin(firstAttempts, this.config.sending.syncTimeoutMs)) {
      if (result === 'pending') continue;
      counters[platform][result]++;
      answered[platform]++;
    }
    for (const platform of ['apns', 'fcm', 'hms'] as const) {
      counters[platform].pending += dispatched[platform] - answered[platform];
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

function prepare(message: PushMessageDto): PreparedMessage {
  const notification: PushNotification = {
    content: toPushContent(message.body!),
    silent: message.attributes?.silent ?? false,
    priority: message.priority === 'NORMAL' ? 'NORMAL' : 'HIGH',
  };
  return { message, notification, encoded: encodeContent(notification.content) };
}

function emptyCounters(): SendCounters {
  return { sent: 0, failed: 0, pending: 0, total: 0 };
}

/** The results that arrive within the time limit; the rest still count as pending. */
function settleWithin<T>(promises: Promise<T>[], timeoutMs: number): Promise<T[]> {
  const results: T[] = [];
  if (promises.length === 0) return Promise.resolve(results);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(results.slice()), timeoutMs);
    for (const promise of promises) {
      void promise.then((result) => {
        results.push(result);
        if (results.length === promises.length) {
          clearTimeout(timer);
          resolve(results);
        }
      });
    }
  });
}
