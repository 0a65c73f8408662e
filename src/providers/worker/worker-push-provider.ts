import type {
  DeliveryOutcome,
  DeviceTarget,
  ProviderApp,
  PushNotification,
  PushProvider,
} from '../push-provider';
import type { ProviderWorkerPool } from './provider-worker.pool';

/**
 * A platform's adapter as seen from the main thread when PROVIDER_THREADS > 0: payload checks run here with the real
 * adapter's builders; sends go to the worker threads, which run the real adapters.
 */
export class WorkerPushProvider implements PushProvider {
  readonly platform: PushProvider['platform'];
  readonly maxTargetsPerRequest: number;

  /** `local`: the platform's adapter, used only for checkPayload (it opens no connection). */
  constructor(
    private readonly local: PushProvider,
    readonly pool: ProviderWorkerPool,
  ) {
    this.platform = local.platform;
    this.maxTargetsPerRequest = local.maxTargetsPerRequest;
  }

  checkPayload(notification: PushNotification): string | undefined {
    return this.local.checkPayload(notification);
  }

  send(
    app: ProviderApp,
    notification: PushNotification,
    targets: DeviceTarget[],
  ): Promise<DeliveryOutcome[]> {
    return this.pool.send(this.platform, app, notification, targets);
  }

  /** Waits for the sends in flight and stops the worker threads (shared by all platforms: the first close does it). */
  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.local.close()]);
  }
}
