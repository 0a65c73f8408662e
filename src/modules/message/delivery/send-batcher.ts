import { afterCurrentTask } from '../../../common/concurrency/after-current-task';
import {
  DeliveryOutcome,
  DeviceTarget,
  ProviderApp,
  PushNotification,
  PushProvider,
} from '../../../providers/push-provider';

interface OpenBatch {
  app: ProviderApp;
  notification: PushNotification;
  targets: DeviceTarget[];
  waiters: Array<{ resolve: (outcome: DeliveryOutcome) => void; reject: (error: unknown) => void }>;
  sent: boolean;
}

/**
 * Joins single-device sends of the same notification of the same app, started by the same task of the event loop
 * (its code and the promise callbacks it sets off), into one provider request (HMS takes a token list): a campaign
 * page costs one HMS request per hundred devices instead of one each. Each caller still gets its own device's outcome.
 */
export class SendBatcher {
  private readonly open = new Map<string, OpenBatch>();
  private readonly notificationIds = new WeakMap<PushNotification, number>();
  private nextNotificationId = 1;

  constructor(private readonly provider: PushProvider) {}

  send(
    appCredentialsId: number,
    app: ProviderApp,
    notification: PushNotification,
    target: DeviceTarget,
  ): Promise<DeliveryOutcome> {
    const key = `${appCredentialsId}:${app.credentialsVersion}:${this.idOf(notification)}`;
    let batch = this.open.get(key);
    if (!batch) {
      const created: OpenBatch = { app, notification, targets: [], waiters: [], sent: false };
      this.open.set(key, created);
      // By then every job started with this one is in the batch.
      afterCurrentTask(() => this.flush(key, created));
      batch = created;
    }
    const promise = new Promise<DeliveryOutcome>((resolve, reject) =>
      batch.waiters.push({ resolve, reject }),
    );
    batch.targets.push(target);
    if (batch.targets.length >= this.provider.maxTargetsPerRequest) this.flush(key, batch);
    return promise;
  }

  private idOf(notification: PushNotification): number {
    let id = this.notificationIds.get(notification);
    if (id === undefined) {
      id = this.nextNotificationId++;
      this.notificationIds.set(notification, id);
    }
    return id;
  }

  private flush(key: string, batch: OpenBatch): void {
    if (this.open.get(key) === batch) this.open.delete(key);
    if (batch.sent) return;
    batch.sent = true;
    this.provider.send(batch.app, batch.notification, batch.targets).then(
      (outcomes) => batch.waiters.forEach((waiter, i) => waiter.resolve(outcomes[i])),
      (error: unknown) => batch.waiters.forEach((waiter) => waiter.reject(error)),
    );
  }
}
