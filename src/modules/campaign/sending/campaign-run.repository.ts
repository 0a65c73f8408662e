import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { SqlBuilder } from '../../../database/sql-builder';
import { PushMessageStatus } from '../../message/entities/push-message.entity';
import { CampaignRunEntity, CampaignRunState } from '../entities/campaign-run.entity';

/** A device of an earlier user of the campaign sharing a token with the current page. */
export interface EarlierDevice {
  platform: string;
  pushToken: string;
}

export interface PreviousRuns {
  nodeId: string;
  currentOwner: string;
}

export type StatusCounts = Record<'sent' | 'failed' | 'pending', number>;

const ACTIVE_STATES: CampaignRunState[] = ['QUEUED', 'SENDING'];
const TOKEN_CHUNK = 1000;

/**
 * push_campaign_run, and what a live send reads of push_campaign_user and push_device_registration.
 * Every change to a run is conditional on the caller still holding its lease.
 */
@Injectable()
export class CampaignRunRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(CampaignRunEntity) private readonly repository: Repository<CampaignRunEntity>,
  ) {}

  private sql(): SqlBuilder {
    return new SqlBuilder(this.dataSource);
  }

  private async query<T>(build: (sql: SqlBuilder) => string): Promise<T[]> {
    const sql = this.sql();
    const text = build(sql);
    return (await this.dataSource.query(text, sql.parameters)) as T[];
  }

  /** Rows changed by an UPDATE or DELETE. */
  private async execute(build: (sql: SqlBuilder) => string): Promise<number> {
    const sql = this.sql();
    const text = build(sql);
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(text, sql.parameters, true);
      return result.affected ?? 0;
    } finally {
      await runner.release();
    }
  }

  findRun(campaignId: number): Promise<CampaignRunEntity | null> {
    return this.repository.findOneBy({ campaignId });
  }

  /** A new run, QUEUED and leased to `owner`. A run that already exists makes this throw a unique violation. */
  async insertRun(campaignId: number, contentId: number, owner: string, leaseUntil: Date, now: Date) {
    await this.query((sql) => {
      const values = [
        sql.param(campaignId),
        sql.param('QUEUED'),
        sql.param(contentId),
        sql.param(false),
        sql.param(owner),
        sql.param(leaseUntil, 'timestamp'),
        sql.param(now, 'timestamp'),
      ];
      return (
        `INSERT INTO push_campaign_run (campaign_id, state, content_id, users_done, lease_owner, lease_until, ` +
        `timestamp_queued) VALUES (${values.join(', ')})`
      );
    });
  }

  /** A FAILED run queued again; it continues from its cursor. Answers false if it is not FAILED any more. */
  async requeueFailed(campaignId: number, owner: string, leaseUntil: Date, now: Date): Promise<boolean> {
    const changed = await this.execute(
      (sql) =>
        `UPDATE push_campaign_run SET state = ${sql.param('QUEUED')}, lease_owner = ${sql.param(owner)}, ` +
        `lease_until = ${sql.param(leaseUntil, 'timestamp')}, last_error = NULL, timestamp_queued = ${sql.param(now, 'timestamp')}, ` +
        `timestamp_finished = NULL WHERE campaign_id = ${sql.param(campaignId)} AND state = ${sql.param('FAILED')}`,
    );
    return changed === 1;
  }

  /** push_campaign.timestamp_sent: when the live send was started. */
  async markCampaignStarted(campaignId: number, now: Date): Promise<void> {
    await this.execute(
      (sql) =>
        `UPDATE push_campaign SET timestamp_sent = ${sql.param(now, 'timestamp')} WHERE id = ${sql.param(campaignId)}`,
    );
  }

  /** Moves a run to SENDING and extends its lease, if `owner` still holds it. */
  async startSending(campaignId: number, owner: string, leaseUntil: Date): Promise<boolean> {
    return (
      (await this.execute(
        (sql) =>
          `UPDATE push_campaign_run SET state = ${sql.param('SENDING')}, lease_until = ${sql.param(leaseUntil, 'timestamp')} ` +
          `WHERE campaign_id = ${sql.param(campaignId)} AND lease_owner = ${sql.param(owner)} ` +
          `AND state IN (${sql.list(ACTIVE_STATES)})`,
      )) === 1
    );
  }

  /**
   * The statement that records a page as done: the cursor moves past its last user and the lease is extended. Run
   * in the same transaction as the page's push_message rows; it changes no row if `owner` lost the run.
   */
  cursorGuard(campaignId: number, owner: string, lastUserId: string, leaseUntil: Date) {
    return (sql: SqlBuilder) =>
      `UPDATE push_campaign_run SET cursor_user_id = ${sql.param(lastUserId)}, ` +
      `lease_until = ${sql.param(leaseUntil, 'timestamp')} WHERE campaign_id = ${sql.param(campaignId)} ` +
      `AND lease_owner = ${sql.param(owner)} AND state = ${sql.param('SENDING')}`;
  }

  async markUsersDone(campaignId: number, owner: string, leaseUntil: Date): Promise<boolean> {
    return (
      (await this.execute(
        (sql) =>
          `UPDATE push_campaign_run SET users_done = ${sql.param(true)}, lease_until = ${sql.param(leaseUntil, 'timestamp')} ` +
          `WHERE campaign_id = ${sql.param(campaignId)} AND lease_owner = ${sql.param(owner)}`,
      )) === 1
    );
  }

  async renewLease(campaignId: number, owner: string, leaseUntil: Date): Promise<boolean> {
    return (
      (await this.execute(
        (sql) =>
          `UPDATE push_campaign_run SET lease_until = ${sql.param(leaseUntil, 'timestamp')} ` +
          `WHERE campaign_id = ${sql.param(campaignId)} AND lease_owner = ${sql.param(owner)}`,
      )) === 1
    );
  }

  /**
   * The campaign is sent: push_campaign first, then the run, so that a crash in between leaves a run that is
   * completed again on restart.
   */
  async complete(campaignId: number, owner: string, now: Date): Promise<boolean> {
    const run = await this.findRun(campaignId);
    if (run?.leaseOwner !== owner) return false;
    await this.execute(
      (sql) =>
        `UPDATE push_campaign SET is_sent = ${sql.param(true)}, timestamp_completed = ${sql.param(now, 'timestamp')} ` +
        `WHERE id = ${sql.param(campaignId)}`,
    );
    return this.finish(campaignId, owner, 'COMPLETED', null, now);
  }

  async fail(campaignId: number, owner: string, reason: string, now: Date): Promise<boolean> {
    return this.finish(campaignId, owner, 'FAILED', reason.slice(0, 1024), now);
  }

  private async finish(
    campaignId: number,
    owner: string,
    state: CampaignRunState,
    reason: string | null,
    now: Date,
  ): Promise<boolean> {
    return (
      (await this.execute(
        (sql) =>
          `UPDATE push_campaign_run SET state = ${sql.param(state)}, last_error = ${sql.param(reason)}, ` +
          `timestamp_finished = ${sql.param(now, 'timestamp')}, lease_owner = NULL, lease_until = NULL ` +
          `WHERE campaign_id = ${sql.param(campaignId)} AND lease_owner = ${sql.param(owner)}`,
      )) === 1
    );
  }

  /** Gives a run back (stop, or an error to retry later): any node may take it once `dueAt` has passed. */
  async release(campaignId: number, owner: string, dueAt: Date, reason?: string): Promise<void> {
    await this.execute(
      (sql) =>
        `UPDATE push_campaign_run SET lease_owner = NULL, lease_until = ${sql.param(dueAt, 'timestamp')}` +
        (reason === undefined ? '' : `, last_error = ${sql.param(reason.slice(0, 1024))}`) +
        ` WHERE campaign_id = ${sql.param(campaignId)} AND lease_owner = ${sql.param(owner)}`,
    );
  }

  /** QUEUED or SENDING runs nobody works on: lease expired or given back, or held by this node's previous run. */
  async findRecoverable(now: Date, previousRuns?: PreviousRuns): Promise<number[]> {
    const rows = await this.query<{ campaign_id: number | string }>(
      (sql) =>
        `SELECT campaign_id FROM push_campaign_run WHERE state IN (${sql.list(ACTIVE_STATES)}) AND ` +
        `(lease_until IS NULL OR lease_until <= ${sql.param(now, 'timestamp')}${previousRunsClause(sql, previousRuns)}) ` +
        `ORDER BY campaign_id`,
    );
    return rows.map((row) => Number(row.campaign_id));
  }

  /** Takes a recoverable run; answers whether this call won it. */
  async claim(
    campaignId: number,
    owner: string,
    leaseUntil: Date,
    now: Date,
    previousRuns?: PreviousRuns,
  ): Promise<boolean> {
    return (
      (await this.execute(
        (sql) =>
          `UPDATE push_campaign_run SET lease_owner = ${sql.param(owner)}, lease_until = ${sql.param(leaseUntil, 'timestamp')} ` +
          `WHERE campaign_id = ${sql.param(campaignId)} AND state IN (${sql.list(ACTIVE_STATES)}) AND ` +
          `(lease_until IS NULL OR lease_until <= ${sql.param(now, 'timestamp')}${previousRunsClause(sql, previousRuns)})`,
      )) === 1
    );
  }

  async deleteRun(campaignId: number): Promise<void> {
    await this.execute((sql) => `DELETE FROM push_campaign_run WHERE campaign_id = ${sql.param(campaignId)}`);
  }

  /** The next users of the campaign in key order, after `afterUserId`; each user once. */
  async userPage(campaignId: number, afterUserId: string | null, limit: number): Promise<string[]> {
    const rows = await this.query<{ user_id: string }>(
      (sql) =>
        `SELECT DISTINCT user_id FROM push_campaign_user WHERE campaign_id = ${sql.param(campaignId)}` +
        (afterUserId === null ? '' : ` AND user_id > ${sql.param(afterUserId)}`) +
        ` ORDER BY user_id LIMIT ${Math.floor(limit)}`,
    );
    return rows.map((row) => row.user_id);
  }

  /**
   * Devices of users before `beforeUserId` in the campaign, in the app, not inactive, whose token is one of
   * `tokens`: those users' page got the campaign to that token already.
   */
  async earlierDevicesWithTokens(
    campaignId: number,
    appId: number,
    tokens: string[],
    beforeUserId: string,
  ): Promise<EarlierDevice[]> {
    const found: EarlierDevice[] = [];
    // In chunks: a large page's token list would pass SQLite's limit on parameters.
    for (let start = 0; start < tokens.length; start += TOKEN_CHUNK) {
      const chunk = tokens.slice(start, start + TOKEN_CHUNK);
      const rows = await this.query<{ platform: string; push_token: string }>(
        (sql) =>
          `SELECT d.platform, d.push_token FROM push_device_registration d WHERE d.app_id = ${sql.param(appId)} ` +
          `AND d.push_token IN (${sql.list(chunk)}) AND d.user_id < ${sql.param(beforeUserId)} ` +
          `AND (d.is_active IS NULL OR d.is_active = ${sql.param(true)}) AND EXISTS (SELECT 1 FROM push_campaign_user u ` +
          `WHERE u.campaign_id = ${sql.param(campaignId)} AND u.user_id = d.user_id)`,
      );
      for (const row of rows) found.push({ platform: row.platform, pushToken: row.push_token });
    }
    return found;
  }

  /** push_message rows of the campaign by status. */
  async statusCounts(campaignId: number): Promise<StatusCounts> {
    const rows = await this.query<{ status: number | string; n: number | string }>(
      (sql) =>
        `SELECT status, COUNT(*) AS n FROM push_message WHERE campaign_id = ${sql.param(campaignId)} GROUP BY status`,
    );
    const counts: StatusCounts = { sent: 0, failed: 0, pending: 0 };
    for (const row of rows) {
      const status = Number(row.status);
      if (status === PushMessageStatus.SENT) counts.sent += Number(row.n);
      else if (status === PushMessageStatus.FAILED) counts.failed += Number(row.n);
      else counts.pending += Number(row.n);
    }
    return counts;
  }

  /** Whether any row of the campaign is still PENDING (cheaper than counting them all). */
  async hasPending(campaignId: number): Promise<boolean> {
    const rows = await this.query(
      (sql) =>
        `SELECT 1 AS x FROM push_message WHERE campaign_id = ${sql.param(campaignId)} ` +
        `AND status = ${sql.param(PushMessageStatus.PENDING)} LIMIT 1`,
    );
    return rows.length > 0;
  }
}

function previousRunsClause(sql: SqlBuilder, runs?: PreviousRuns): string {
  if (!runs) return '';
  return ` OR (lease_owner LIKE ${sql.param(`${runs.nodeId}:%`)} AND lease_owner <> ${sql.param(runs.currentOwner)})`;
}
