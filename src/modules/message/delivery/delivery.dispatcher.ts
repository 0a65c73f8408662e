import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { maskToken } from '../../../common/logging/mask';
import { MetricsService } from '../../../common/metrics/metrics.service';
import { DeliveryOutcome, Platform, PUSH_PROVIDERS, PushProvider } from '../../../providers/push-provider';
import { AppCredentialsStatusRepository } from '../../admin/app-credentials-status.repository';
import { DeviceRegistrationRepository } from '../../device/device-registration.repository';
import { PushMessageStatus } from '../entities/push-message.entity';
import { PushMessageRepository, StatusUpdate } from '../push-message.repository';
import { JOB_QUEUE_DRIVER, JobQueue, JobQueueDriver } from '../queue/job-queue';
import { DeliveryJob, FirstAttemptResult } from './delivery-job';
import { retryDelayMs } from './retry-policy';
import { SendBatcher } from './send-batcher';
import { StatusWriter } from './status-writer';

const PLATFORMS: Platform[] = ['apns', 'fcm', 'hms'];
const SHUTDOWN_GRACE_MS = 10000;

/**
 * Runs each device's notification through its platform's provider and applies the outcome: SENT, FAILED (removing
 * a device whose token the provider declared dead, flagging an app whose credentials it refused), or another
 * attempt later with backoff. Every outcome is written to the push_message row before it is reported.
 */
@Injectable()
export class DeliveryDispatcher implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryDispatcher');
  private readonly providers = new Map<Platform, PushProvider>();
  private readonly queues = new Map<Platform, JobQueue<DeliveryJob>>();
  /** For providers that take several devices per request. */
  private readonly batchers = new Map<Platform, SendBatcher>();
  /** Rows in memory: queued, running, or waiting for a retry timer. Recovery leaves them alone. */
  private readonly active = new Set<number>();
  private readonly retryTimers = new Map<number, NodeJS.Timeout>();
  private readonly failingCredentials = new Set<string>();
  private stopping = false;
  /** This run's lease owner: `NODE_ID:<random>`; the next run of the same node recognises the prefix. */
  readonly leaseOwner: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PUSH_PROVIDERS) providers: PushProvider[],
    @Inject(JOB_QUEUE_DRIVER) queueDriver: JobQueueDriver,
    private readonly statusWriter: StatusWriter,
    private readonly messages: PushMessageRepository,
    private readonly devices: DeviceRegistrationRepository,
    private readonly credentialsStatus: AppCredentialsStatusRepository,
    private readonly metrics: MetricsService,
  ) {
    this.leaseOwner = `${config.sending.nodeId}:${randomBytes(4).toString('hex')}`;
    for (const provider of providers) {
      this.providers.set(provider.platform, provider);
      if (provider.maxTargetsPerRequest > 1) this.batchers.set(provider.platform, new SendBatcher(provider));
    }
    for (const platform of PLATFORMS) {
      const queue = queueDriver.create<DeliveryJob>(platform, config.sending.concurrency[platform], (job) =>
        this.run(job),
      );
      this.queues.set(platform, queue);
    }
    this.metrics.setQueueDepthSource(() =>
      Object.fromEntries(PLATFORMS.map((platform) => [platform, this.queues.get(platform)!.depth()])),
    );
  }

  async onModuleInit(): Promise<void> {
    for (const status of await this.credentialsStatus.all()) {
      this.failingCredentials.add(`${status.appCredentialsId}:${status.platform}`);
    }
  }

  provider(platform: Platform): PushProvider {
    const provider = this.providers.get(platform);
    if (!provider) throw new Error(`No provider for ${platform}`);
    return provider;
  }

  isActive(messageId: number): boolean {
    return this.active.has(messageId);
  }

  /** Jobs waiting or running, all platforms. */
  depth(): number {
    return PLATFORMS.reduce((sum, platform) => sum + this.queues.get(platform)!.depth(), 0);
  }

  dispatch(jobs: DeliveryJob[]): void {
    if (this.stopping) return;
    for (const job of jobs) {
      this.active.add(job.messageId);
      this.queues.get(job.platform)!.add([job]);
    }
  }

  /** Stops sending: running requests finish, queued and retry-waiting rows are handed back for later. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    const notStarted: number[] = [];
    for (const queue of this.queues.values()) {
      notStarted.push(...(await queue.drain(SHUTDOWN_GRACE_MS)).map((job) => job.messageId));
    }
    await this.statusWriter.flush();
    await this.messages.release(notStarted);
    if (notStarted.length > 0)
      this.logger.log(`Handed back ${notStarted.length} unsent message(s) for later`);
    await Promise.all([...this.providers.values()].map((provider) => provider.close()));
  }

  private async run(job: DeliveryJob): Promise<void> {
    const validUntil = job.notification.content.validUntil;
    if (validUntil && validUntil.getTime() <= Date.now()) {
      return this.fail(job, job.attempts, `Expired: validUntil passed before sending${lastReason(job)}`);
    }
    const started = performance.now();
    let outcome: DeliveryOutcome;
    try {
      const batcher = this.batchers.get(job.platform);
      outcome = batcher
        ? await batcher.send(job.appCredentialsId, job.app, job.notification, job.target)
        : (await this.provider(job.platform).send(job.app, job.notification, [job.target]))[0];
    } catch (error) {
      // Adapters answer provider errors as outcomes; a throw is unexpected, so retrying is the safe reading.
      outcome = { status: 'retryable', reason: `Unexpected provider error: ${(error as Error).message}` };
    }
    this.metrics.sendDuration.observe({ platform: job.platform }, (performance.now() - started) / 1000);
    this.metrics.sends.inc({ platform: job.platform, outcome: outcome.status });
    const attempts = job.attempts + 1;

    switch (outcome.status) {
      case 'delivered':
        await this.finish(job, {
          ...this.row(job, PushMessageStatus.SENT, attempts),
          providerMessageId: outcome.providerMessageId?.slice(0, 255) ?? null,
          lastError: null,
        });
        await this.clearFailingCredentials(job);
        this.settle(job, 'sent');
        return;
      case 'invalid-token':
        // Side effects first: once the outcome is reported, the device is gone.
        await this.devices.deleteByAppAndToken(job.appCredentialsId, job.target.token);
        this.logger.log(
          `Removed device ${maskToken(job.target.token)} of app ${job.app.appId}: ${outcome.reason}`,
        );
        return this.fail(job, attempts, outcome.reason);
      case 'failed':
        if (outcome.credentialsFailing) await this.markFailingCredentials(job, outcome.reason);
        return this.fail(job, attempts, outcome.reason);
      case 'retryable':
        return this.retryLater(job, attempts, outcome.reason, outcome.retryAfterMs);
    }
  }

  private async retryLater(
    job: DeliveryJob,
    attempts: number,
    reason: string,
    retryAfterMs?: number,
  ): Promise<void> {
    const { maxAttempts } = this.config.sending;
    if (attempts >= maxAttempts) return this.fail(job, attempts, `${reason} (after ${attempts} attempts)`);
    const delay = retryDelayMs(this.config.sending, attempts, retryAfterMs);
    const dueAt = new Date(Date.now() + delay);
    const validUntil = job.notification.content.validUntil;
    if (validUntil && dueAt.getTime() >= validUntil.getTime()) {
      return this.fail(
        job,
        attempts,
        `Expired: validUntil passes before the next attempt (last error: ${reason})`,
      );
    }
    this.metrics.retries.inc({ platform: job.platform });
    // Unowned and due later: if this process dies, recovery takes the row when it is due.
    await this.statusWriter.write({
      ...this.row(job, PushMessageStatus.PENDING, attempts),
      nextAttemptAt: dueAt,
      lastError: reason.slice(0, 1024),
    });
    this.settle(job, 'pending');
    const next: DeliveryJob = { ...job, attempts, lastError: reason, onFirstAttempt: undefined };
    const timer = setTimeout(() => {
      this.retryTimers.delete(job.messageId);
      if (!this.stopping) this.queues.get(job.platform)!.add([next]);
    }, delay);
    timer.unref();
    this.retryTimers.set(job.messageId, timer);
  }

  private async fail(job: DeliveryJob, attempts: number, reason: string): Promise<void> {
    this.logger.warn(
      `Send failed: app ${job.app.appId}, ${job.platform}, device ${maskToken(job.target.token)}: ${reason}`,
    );
    await this.finish(job, {
      ...this.row(job, PushMessageStatus.FAILED, attempts),
      lastError: reason.slice(0, 1024),
    });
    this.settle(job, 'failed');
  }

  private async finish(job: DeliveryJob, update: StatusUpdate): Promise<void> {
    await this.statusWriter.write(update);
    this.active.delete(job.messageId);
  }

  private row(job: DeliveryJob, status: PushMessageStatus, attempts: number): StatusUpdate {
    const finished = status !== PushMessageStatus.PENDING;
    return {
      id: job.messageId,
      status,
      attempts,
      nextAttemptAt: null,
      leaseOwner: null,
      providerMessageId: null,
      lastError: job.lastError,
      finishedAt: finished ? new Date() : null,
    };
  }

  private settle(job: DeliveryJob, result: FirstAttemptResult): void {
    job.onFirstAttempt?.(result);
    job.onFirstAttempt = undefined;
  }

  private async markFailingCredentials(job: DeliveryJob, reason: string): Promise<void> {
    const key = `${job.appCredentialsId}:${job.platform}`;
    if (!this.failingCredentials.has(key)) {
      this.logger.error(
        `Credentials of app ${job.app.appId} for ${job.platform.toUpperCase()} are failing: ${reason}`,
      );
    }
    this.failingCredentials.add(key);
    await this.credentialsStatus.markFailing(job.appCredentialsId, job.platform, reason, new Date());
  }

  private async clearFailingCredentials(job: DeliveryJob): Promise<void> {
    const key = `${job.appCredentialsId}:${job.platform}`;
    if (!this.failingCredentials.delete(key)) return;
    await this.credentialsStatus.clear(job.appCredentialsId, job.platform);
    this.logger.log(`Credentials of app ${job.app.appId} for ${job.platform.toUpperCase()} work again`);
  }
}

function lastReason(job: DeliveryJob): string {
  return job.lastError ? ` (last error: ${job.lastError})` : '';
}
