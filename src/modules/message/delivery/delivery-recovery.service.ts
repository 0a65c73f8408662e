import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { PushMessageStatus } from '../entities/push-message.entity';
import { PendingRow, PreviousRuns, PushMessageRepository } from '../push-message.repository';
import { DeliveryJob } from './delivery-job';
import { DeliveryDispatcher } from './delivery.dispatcher';
import { routeDevice } from './device-routing';
import { ProviderAppService } from './provider-app.service';
import { decodeNotification } from './push-content.codec';
import { StatusWriter } from './status-writer';

const PAGE = 500;
// Recovery stops adding work while this much is already queued; the rest waits for the next round.
const MAX_QUEUED = 20000;

/**
 * Picks up PENDING rows whose work is not running: at start (including the rows this node's previous run held),
 * and periodically (rows due for a retry, leases other nodes let expire). This is what makes a crash or a stop a
 * delay rather than a loss.
 */
@Injectable()
export class DeliveryRecoveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeliveryRecovery');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messages: PushMessageRepository,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly providerApps: ProviderAppService,
    private readonly statusWriter: StatusWriter,
  ) {}

  onApplicationBootstrap(): void {
    const previousRuns = { nodeId: this.config.sending.nodeId, currentOwner: this.dispatcher.leaseOwner };
    this.running = this.recover(previousRuns).finally(() => (this.running = undefined));
    this.timer = setInterval(() => {
      if (!this.running && !this.stopped)
        this.running = this.recover().finally(() => (this.running = undefined));
    }, this.config.sending.recoveryIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One recovery round; answers how many rows it handed to the dispatcher. */
  async recover(previousRuns?: PreviousRuns): Promise<number> {
    let total = 0;
    try {
      let seen = new Set<number>();
      while (!this.stopped && this.dispatcher.depth() < MAX_QUEUED) {
        const now = new Date();
        const candidates = (await this.messages.findRecoverable(now, PAGE, previousRuns)).filter(
          (id) => !this.dispatcher.isActive(id) && !seen.has(id),
        );
        if (candidates.length === 0) break;
        seen = new Set([...seen, ...candidates]);
        const leaseUntil = new Date(now.getTime() + this.config.sending.leaseMs);
        const won = await this.messages.claim(
          candidates,
          this.dispatcher.leaseOwner,
          leaseUntil,
          now,
          previousRuns,
        );
        const jobs = await this.toJobs(await this.messages.loadPending(won));
        this.dispatcher.dispatch(jobs);
        total += jobs.length;
      }
    } catch (error) {
      this.logger.error(`Recovery round failed: ${(error as Error).message}`);
    }
    if (total > 0) this.logger.log(`Picked up ${total} pending message(s)`);
    return total;
  }

  private async toJobs(rows: PendingRow[]): Promise<DeliveryJob[]> {
    const jobs: DeliveryJob[] = [];
    const apps = new Map<number, Awaited<ReturnType<ProviderAppService['byId']>>>();
    for (const row of rows) {
      if (!apps.has(row.content.appId))
        apps.set(row.content.appId, await this.providerApps.byId(row.content.appId));
      const app = apps.get(row.content.appId)!;
      const route =
        app && row.device ? routeDevice(app, row.device, this.config.apnsUseDevelopment) : undefined;
      if (!app || !row.device || !route || route.failure !== undefined || !route.target) {
        const reason = !app
          ? 'The app was removed before sending'
          : !row.device
            ? 'The device was removed before sending'
            : (route?.failure ?? 'Cannot route the device');
        await this.statusWriter.write({
          id: row.id,
          status: PushMessageStatus.FAILED,
          attempts: row.attempts,
          nextAttemptAt: null,
          leaseOwner: null,
          providerMessageId: null,
          lastError: reason,
          finishedAt: new Date(),
        });
        continue;
      }
      jobs.push({
        messageId: row.id,
        appCredentialsId: app.id,
        app: app.provider,
        platform: route.platform,
        target: route.target,
        notification: decodeNotification(row.content),
        attempts: row.attempts,
        lastError: row.lastError,
      });
    }
    return jobs;
  }
}
