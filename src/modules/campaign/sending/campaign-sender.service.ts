import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { PushServerError } from '../../../common/errors/push-server.error';
import { isUniqueViolation } from '../../../database/database-errors';
import { platformOf, PushNotification } from '../../../providers/push-provider';
import { DeviceRegistrationRepository, SendableDevice } from '../../device/device-registration.repository';
import { DeliveryJob } from '../../message/delivery/delivery-job';
import { DeliveryDispatcher } from '../../message/delivery/delivery.dispatcher';
import { planDeliveries } from '../../message/delivery/delivery-planner';
import { ProviderAppService, SendingApp } from '../../message/delivery/provider-app.service';
import { decodeNotification, encodeContent, toPushContent } from '../../message/delivery/push-content.codec';
import { GuardFailedError, PushMessageRepository } from '../../message/push-message.repository';
import { JOB_QUEUE_DRIVER, JobQueue, JobQueueDriver } from '../../message/queue/job-queue';
import { decodeCampaignMessage } from '../campaign-message.codec';
import { CampaignRunState } from '../entities/campaign-run.entity';
import { CAMPAIGN_NOT_FOUND, CampaignRecord, CampaignRepository } from '../campaign.repository';
import { CampaignRunRepository, PreviousRuns } from './campaign-run.repository';
import { ApiAccess } from '../../auth/api-access';
import { AuditService } from '../../audit/audit.service';
import { assertCampaignAccess } from '../campaign-access';

/** What `GET /push/campaign/{id}/progress` answers. */
export interface CampaignProgress {
  campaignId: number;
  state: CampaignRunState | 'CREATED';
  /** Devices recorded so far (all of them once the state is COMPLETED). */
  total: number;
  sent: number;
  failed: number;
  pending: number;
  timestampCreated: Date;
  timestampSent: Date | null;
  timestampCompleted: Date | null;
  /** Why the run FAILED. */
  error?: string | null;
}

interface CampaignJob {
  campaignId: number;
}

// Pages are recorded only while fewer jobs than this wait in the delivery queues: memory stays flat.
const MAX_QUEUED_DEVICES = 4000;
const BACKPRESSURE_POLL_MS = 10;
const COMPLETION_POLL_MS = 250;
const ERROR_RETRY_MS = 5000;
const SHUTDOWN_GRACE_MS = 10000;

class RunLost extends Error {}

/** The run cannot go on (its app or message is gone): FAILED, until someone sends it live again. */
class RunFailed extends Error {}

/**
 * Live campaign sends as background runs through the job queue. A run reads the campaign's users in key order, a
 * page at a time, and records each page's push_message rows in the same transaction that moves its cursor, then
 * hands them to the dispatcher. A run that stops (crash, SIGTERM, error) is taken up again from its cursor: no
 * device is recorded twice, and recovery re-sends only rows that were in flight.
 */
@Injectable()
export class CampaignSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CampaignSender');
  private readonly queue: JobQueue<CampaignJob>;
  /** Runs queued or running on this node. */
  private readonly local = new Set<number>();
  private timer?: NodeJS.Timeout;
  private recovering?: Promise<void>;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JOB_QUEUE_DRIVER) queueDriver: JobQueueDriver,
    private readonly campaigns: CampaignRepository,
    private readonly runs: CampaignRunRepository,
    private readonly messages: PushMessageRepository,
    private readonly devices: DeviceRegistrationRepository,
    private readonly providerApps: ProviderAppService,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly audit: AuditService,
  ) {
    this.queue = queueDriver.create<CampaignJob>('campaign', config.campaign.concurrency, (job) =>
      this.run(job.campaignId),
    );
  }

  private get owner(): string {
    return this.dispatcher.leaseOwner;
  }

  private leaseUntil(): Date {
    return new Date(Date.now() + this.config.sending.leaseMs);
  }

  onApplicationBootstrap(): void {
    const previousRuns = { nodeId: this.config.sending.nodeId, currentOwner: this.owner };
    this.recovering = this.recover(previousRuns).finally(() => (this.recovering = undefined));
    this.timer = setInterval(() => {
      if (!this.recovering && !this.stopping)
        this.recovering = this.recover().finally(() => (this.recovering = undefined));
    }, this.config.sending.recoveryIntervalMs);
    this.timer.unref();
  }

  /** Before the dispatcher drains: no new pages; runs give their lease back where they are. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.recovering;
    const notStarted = await this.queue.drain(SHUTDOWN_GRACE_MS);
    for (const job of notStarted) await this.runs.release(job.campaignId, this.owner, new Date());
  }

  /** `/push/campaign/send/live/{id}`: queues the run and answers; the devices are reached in the background. */
  async sendLive(campaignId: number, access: ApiAccess): Promise<void> {
    const campaign = await this.requireCampaign(campaignId, access);
    const run = await this.runs.findRun(campaignId);
    if (run?.state === 'QUEUED' || run?.state === 'SENDING') {
      throw PushServerError.generic('Campaign is already being sent');
    }
    if (campaign.sent || run?.state === 'COMPLETED')
      throw PushServerError.generic('Campaign was already sent');
    const app = await this.providerApps.byId(campaign.appCredentialsId);
    if (!app)
      throw PushServerError.generic(
        `Application of the campaign does not exist: ${campaign.appCredentialsId}`,
      );

    const now = new Date();
    if (run?.state === 'FAILED') {
      // Sent again after a failure: it continues where it stopped, so nobody gets it twice.
      if (!(await this.runs.requeueFailed(campaignId, this.owner, this.leaseUntil(), now))) {
        throw PushServerError.generic('Campaign is already being sent');
      }
    } else {
      const notification = campaignNotification(campaign);
      const [contentId] = await this.messages.insertContents([
        {
          appId: campaign.appCredentialsId,
          body: encodeContent(notification.content),
          priority: notification.priority,
          silent: notification.silent,
          personal: false,
          validUntil: notification.content.validUntil ?? null,
          timestampCreated: now,
        },
      ]);
      try {
        await this.runs.insertRun(campaignId, contentId, this.owner, this.leaseUntil(), now);
      } catch (error) {
        if (isUniqueViolation(error)) throw PushServerError.generic('Campaign is already being sent');
        throw error;
      }
      await this.runs.markCampaignStarted(campaignId, now);
    }
    this.enqueue(campaignId);
    // After the run is queued: should the row fail, the send goes on (and the request answers 500).
    await this.audit.record({
      action: 'campaign.sent',
      access,
      appId: campaign.appId ?? undefined,
      resource: `campaign:${campaignId}`,
      details: { resumed: run?.state === 'FAILED' },
    });
  }

  /** `GET /push/campaign/{id}/progress`. */
  async progress(campaignId: number, access: ApiAccess): Promise<CampaignProgress> {
    const campaign = await this.requireCampaign(campaignId, access);
    const run = await this.runs.findRun(campaignId);
    const counts = await this.runs.statusCounts(campaignId);
    // A campaign the original server sent has no run: it is sent, with no per-device record of ours.
    const state = run?.state ?? (campaign.sent ? 'COMPLETED' : 'CREATED');
    return {
      campaignId,
      state,
      total: counts.sent + counts.failed + counts.pending,
      ...counts,
      timestampCreated: campaign.timestampCreated,
      timestampSent: campaign.timestampSent,
      timestampCompleted: campaign.timestampCompleted,
      error: run?.state === 'FAILED' ? run.lastError : undefined,
    };
  }

  /** Forgets a deleted campaign's run; a node running it stops at its next page. */
  async forget(campaignId: number): Promise<void> {
    await this.runs.deleteRun(campaignId);
  }

  private async requireCampaign(campaignId: number, access: ApiAccess): Promise<CampaignRecord> {
    const campaign = await this.campaigns.findById(campaignId);
    if (!campaign) throw PushServerError.generic(CAMPAIGN_NOT_FOUND);
    assertCampaignAccess(campaign, access);
    return campaign;
  }

  private enqueue(campaignId: number): void {
    if (this.local.has(campaignId) || this.stopping) return;
    this.local.add(campaignId);
    this.queue.add([{ campaignId }]);
  }

  /** Runs this node should take up: at start its previous run's, later any whose lease lapsed. */
  private async recover(previousRuns?: PreviousRuns): Promise<void> {
    try {
      const now = new Date();
      for (const campaignId of await this.runs.findRecoverable(now, previousRuns)) {
        if (this.local.has(campaignId) || this.stopping) continue;
        if (await this.runs.claim(campaignId, this.owner, this.leaseUntil(), now, previousRuns)) {
          this.logger.log(`Taking up the live send of campaign ${campaignId}`);
          this.enqueue(campaignId);
        }
      }
    } catch (error) {
      this.logger.error(`Campaign recovery failed: ${(error as Error).message}`);
    }
  }

  private async run(campaignId: number): Promise<void> {
    try {
      await this.send(campaignId);
    } catch (error) {
      if (error instanceof RunFailed) {
        this.logger.error(`Campaign ${campaignId}: live send failed: ${error.message}`);
        await this.runs.fail(campaignId, this.owner, error.message, new Date()).catch(() => undefined);
      } else if (error instanceof RunLost || error instanceof GuardFailedError) {
        this.logger.warn(`Campaign ${campaignId}: the run was taken over or removed; stopping here`);
      } else {
        this.logger.error(
          `Campaign ${campaignId}: live send interrupted, retrying later: ${(error as Error).message}`,
        );
        await this.runs
          .release(campaignId, this.owner, new Date(Date.now() + ERROR_RETRY_MS), (error as Error).message)
          .catch(() => undefined);
      }
    } finally {
      this.local.delete(campaignId);
    }
  }

  private async send(campaignId: number): Promise<void> {
    const run = await this.runs.findRun(campaignId);
    if (!run || run.leaseOwner !== this.owner || (run.state !== 'QUEUED' && run.state !== 'SENDING')) {
      throw new RunLost();
    }
    const campaign = await this.campaigns.findById(campaignId);
    const app = campaign ? await this.providerApps.byId(campaign.appCredentialsId) : null;
    if (!campaign) throw new RunLost();
    if (!app) throw new RunFailed('The app of the campaign was removed');
    if (!(await this.runs.startSending(campaignId, this.owner, this.leaseUntil()))) throw new RunLost();
    if (!run.usersDone) {
      const [content] = await this.messages.loadContents([run.contentId]);
      if (!content) throw new RunFailed('The content of the run was removed');
      const notification = decodeNotification(content);
      const finished = await this.recordPages(campaign, app, notification, run.contentId, run.cursorUserId);
      if (!finished) return this.handBack(campaignId);
      if (!(await this.runs.markUsersDone(campaignId, this.owner, this.leaseUntil()))) throw new RunLost();
    }
    const completed = await this.awaitOutcomes(campaignId);
    if (!completed) return this.handBack(campaignId);
    if (!(await this.runs.complete(campaignId, this.owner, new Date()))) throw new RunLost();
    this.logger.log(`Campaign ${campaignId} completed`);
  }

  private async handBack(campaignId: number): Promise<void> {
    await this.runs.release(campaignId, this.owner, new Date());
  }

  /** Records and dispatches the campaign page by page; false when stopped before the last page. */
  private async recordPages(
    campaign: CampaignRecord,
    initialApp: SendingApp,
    notification: PushNotification,
    contentId: number,
    cursor: string | null,
  ): Promise<boolean> {
    const { rateLimit, pageUsers } = this.config.campaign;
    // Paced campaigns take small pages, so that a page never bursts far past the rate.
    const pageSize = rateLimit > 0 ? Math.max(1, Math.min(pageUsers, Math.floor(rateLimit / 10))) : pageUsers;
    let nextPageAt = 0;
    let app = initialApp;
    let appCheckedAt = Date.now();
    for (;;) {
      if (this.stopping) return false;
      await this.waitForQueueRoom();
      if (this.stopping) return false;
      if (Date.now() - appCheckedAt > 1000) {
        // Credentials changed mid-campaign are used within a second, as for any send.
        const current = await this.providerApps.byId(campaign.appCredentialsId);
        if (!current) throw new RunFailed('The app of the campaign was removed');
        app = current;
        appCheckedAt = Date.now();
      }
      const users = await this.runs.userPage(campaign.id, cursor, pageSize);
      if (users.length === 0) return true;
      const devices = await this.devicesOnce(campaign, users);
      const now = new Date();
      const planned = planDeliveries(
        app,
        devices,
        {
          notification,
          contentId,
          personal: false,
          campaignId: campaign.id,
          recipient: (device) => ({ userId: device.userId ?? '', activationId: device.activationId }),
        },
        {
          now,
          leaseUntil: this.leaseUntil(),
          leaseOwner: this.owner,
          apnsUseDevelopment: this.config.apnsUseDevelopment,
        },
      );
      if (rateLimit > 0) {
        // A page starts once the pages before it have had their share of the rate. No credit builds up while
        // the run is slowed down by something else, so it never catches up in a burst.
        if (nextPageAt > Date.now()) await sleep(nextPageAt - Date.now());
        if (this.stopping) return false;
        nextPageAt = Date.now() + (planned.length / rateLimit) * 1000;
      }
      const lastUser = users[users.length - 1];
      // Recorded and handed to the dispatcher with no wait in between: a stop cannot strand leased rows.
      const ids = await this.messages.insertGuarded(
        planned.map((p) => p.row),
        this.runs.cursorGuard(campaign.id, this.owner, lastUser, this.leaseUntil()),
      );
      cursor = lastUser;
      const jobs: DeliveryJob[] = [];
      planned.forEach((p, index) => {
        if (p.job) jobs.push({ ...p.job, messageId: ids[index] });
      });
      this.dispatcher.dispatch(jobs);
    }
  }

  /**
   * The devices of a page of users in the campaign's app: not inactive, and each (platform, token) once, counting
   * tokens that an earlier page's user has (those got the campaign with that page).
   */
  private async devicesOnce(campaign: CampaignRecord, users: string[]): Promise<SendableDevice[]> {
    const all = (await this.devices.findForUsers(campaign.appCredentialsId, users)).filter(
      (device) => device.active !== false,
    );
    const seen = new Set<string>();
    const earlier = await this.runs.earlierDevicesWithTokens(
      campaign.id,
      campaign.appCredentialsId,
      [...new Set(all.map((device) => device.pushToken))],
      users[0],
    );
    for (const device of earlier) seen.add(deviceKey(device.platform, device.pushToken));
    // Key order, so that which of two rows sharing a token gets the push does not depend on the database.
    all.sort((a, b) => (a.userId! < b.userId! ? -1 : a.userId! > b.userId! ? 1 : a.id - b.id));
    return all.filter((device) => {
      const key = deviceKey(device.platform, device.pushToken);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  private async waitForQueueRoom(): Promise<void> {
    while (!this.stopping && this.dispatcher.depth() > MAX_QUEUED_DEVICES) await sleep(BACKPRESSURE_POLL_MS);
  }

  /** Waits until no row of the campaign is PENDING, holding the lease; false when stopped first. */
  private async awaitOutcomes(campaignId: number): Promise<boolean> {
    let renewedAt = Date.now();
    while (await this.runs.hasPending(campaignId)) {
      if (this.stopping) return false;
      if (Date.now() - renewedAt > this.config.sending.leaseMs / 3) {
        if (!(await this.runs.renewLease(campaignId, this.owner, this.leaseUntil()))) throw new RunLost();
        renewedAt = Date.now();
      }
      await sleep(COMPLETION_POLL_MS);
    }
    return true;
  }
}

/** The campaign's stored message as a notification: not silent, not personal, HIGH priority (as the original). */
export function campaignNotification(campaign: CampaignRecord): PushNotification {
  return { content: toPushContent(decodeCampaignMessage(campaign.message)), silent: false, priority: 'HIGH' };
}

function deviceKey(platform: string, token: string): string {
  return `${platformOf(platform) ?? platform}:${token}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
