import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { SqlBuilder } from '../../database/sql-builder';
import { DeviceRegistrationEntity } from '../device/entities/device-registration.entity';
import { PushMessageContentEntity } from './entities/push-message-content.entity';
import { PushMessageEntity, PushMessageStatus } from './entities/push-message.entity';

export type NewPushMessage = Omit<PushMessageEntity, 'id'>;
export type NewPushMessageContent = Omit<PushMessageContentEntity, 'id'>;

/** The full state of a row after an attempt; written in bulk. */
export interface StatusUpdate {
  id: number;
  status: PushMessageStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  leaseOwner: string | null;
  providerMessageId: string | null;
  lastError: string | null;
  finishedAt: Date | null;
}

/** A PENDING row as recovery reloads it: the message, its content and its device (if still registered). */
export interface PendingRow {
  id: number;
  attempts: number;
  lastError: string | null;
  userId: string;
  deviceId: number;
  content: PushMessageContentEntity;
  device: { platform: string; pushToken: string; environment: string | null; appId: number } | null;
}

/** At start, a node takes back the rows its previous runs held: owner `<nodeId>:<run>` other than the current run. */
export interface PreviousRuns {
  nodeId: string;
  currentOwner: string;
}

function previousRunsClause(sql: SqlBuilder, runs?: PreviousRuns): string {
  if (!runs) return '';
  return ` OR (lease_owner LIKE ${sql.param(`${runs.nodeId}:%`)} AND lease_owner <> ${sql.param(runs.currentOwner)})`;
}

// Keeps every statement under SQLite's and PostgreSQL's parameter limits.
const INSERT_CHUNK = 200;
const UPDATE_CHUNK = 300;

/** push_message and push_message_content: the durable send queue. */
@Injectable()
export class PushMessageRepository {
  constructor(
    @InjectRepository(PushMessageEntity) private readonly messages: Repository<PushMessageEntity>,
    @InjectRepository(PushMessageContentEntity)
    private readonly contents: Repository<PushMessageContentEntity>,
    private readonly dataSource: DataSource,
  ) {}

  async insertContent(content: NewPushMessageContent, manager?: EntityManager): Promise<number> {
    const contents = manager ? manager.getRepository(PushMessageContentEntity) : this.contents;
    const result = await contents.insert(content);
    return result.identifiers[0].id as number;
  }

  /** Inserts the rows in multi-row statements and answers their ids, in order. */
  async insertMessages(rows: NewPushMessage[], manager?: EntityManager): Promise<number[]> {
    const messages = manager ? manager.getRepository(PushMessageEntity) : this.messages;
    const ids: number[] = [];
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const chunk = rows.slice(start, start + INSERT_CHUNK);
      const result = await messages.insert(chunk);
      ids.push(...result.identifiers.map((identifier) => identifier.id as number));
    }
    return ids;
  }

  /** One UPDATE per chunk, whatever the number of rows: each column is a CASE over the ids. */
  async applyUpdates(updates: StatusUpdate[]): Promise<void> {
    for (let start = 0; start < updates.length; start += UPDATE_CHUNK) {
      const chunk = updates.slice(start, start + UPDATE_CHUNK);
      const sql = new SqlBuilder(this.dataSource);
      const column = (
        name: string,
        type: 'integer' | 'varchar' | 'timestamp',
        value: (u: StatusUpdate) => unknown,
      ) =>
        `${name} = CASE id ${chunk.map((u) => `WHEN ${sql.param(u.id)} THEN ${sql.param(value(u), type)}`).join(' ')} END`;
      const assignments = [
        column('status', 'integer', (u) => u.status),
        column('attempts', 'integer', (u) => u.attempts),
        column('next_attempt_at', 'timestamp', (u) => u.nextAttemptAt),
        column('lease_owner', 'varchar', (u) => u.leaseOwner),
        column('provider_message_id', 'varchar', (u) => u.providerMessageId),
        column('last_error', 'varchar', (u) => u.lastError),
        column('timestamp_finished', 'timestamp', (u) => u.finishedAt),
      ];
      const ids = sql.list(chunk.map((u) => u.id));
      await this.dataSource.query(
        `UPDATE push_message SET ${assignments.join(', ')} WHERE id IN (${ids})`,
        sql.parameters,
      );
    }
  }

  /**
   * PENDING rows of this server that nobody is working on: unowned and due, with an expired lease, or (at start)
   * owned by this node's previous run.
   */
  async findRecoverable(now: Date, limit: number, previousRuns?: PreviousRuns): Promise<number[]> {
    // Placeholders are numbered in the order param() is called: build the text left to right.
    const sql = new SqlBuilder(this.dataSource);
    const status = sql.param(PushMessageStatus.PENDING);
    const due = sql.param(now, 'timestamp');
    const own = previousRunsClause(sql, previousRuns);
    const rows: Array<{ id: number | string }> = await this.dataSource.query(
      `SELECT id FROM push_message WHERE status = ${status} AND content_id IS NOT NULL ` +
        `AND (next_attempt_at IS NULL OR next_attempt_at <= ${due}${own}) ORDER BY id LIMIT ${Math.floor(limit)}`,
      sql.parameters,
    );
    return rows.map((row) => Number(row.id));
  }

  /** Takes a lease on the given rows if they are still recoverable; answers the ids this call won. */
  async claim(
    ids: number[],
    owner: string,
    leaseUntil: Date,
    now: Date,
    previousRuns?: PreviousRuns,
  ): Promise<number[]> {
    if (ids.length === 0) return [];
    const update = new SqlBuilder(this.dataSource);
    const assignments = `lease_owner = ${update.param(owner)}, next_attempt_at = ${update.param(leaseUntil, 'timestamp')}`;
    const idList = update.list(ids);
    const status = update.param(PushMessageStatus.PENDING);
    const due = update.param(now, 'timestamp');
    const own = previousRunsClause(update, previousRuns);
    await this.dataSource.query(
      `UPDATE push_message SET ${assignments} WHERE id IN (${idList}) AND status = ${status} ` +
        `AND (next_attempt_at IS NULL OR next_attempt_at <= ${due}${own})`,
      update.parameters,
    );
    const select = new SqlBuilder(this.dataSource);
    const won: Array<{ id: number | string }> = await this.dataSource.query(
      `SELECT id FROM push_message WHERE id IN (${select.list(ids)}) AND lease_owner = ${select.param(owner)}`,
      select.parameters,
    );
    return won.map((row) => Number(row.id));
  }

  /** Rows with their content and device, for recovered work. */
  async loadPending(ids: number[]): Promise<PendingRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.messages
      .createQueryBuilder('m')
      .innerJoinAndMapOne('m.content', PushMessageContentEntity, 'c', 'c.id = m.content_id')
      .leftJoinAndMapOne('m.device', DeviceRegistrationEntity, 'd', 'd.id = m.device_registration_id')
      .where('m.id IN (:...ids)', { ids })
      .orderBy('m.id', 'ASC')
      .getMany();
    return rows.map((row) => {
      const joined = row as PushMessageEntity & {
        content: PushMessageContentEntity;
        device?: { platform: string; pushToken: string; environment: string | null; appId: number } | null;
      };
      return {
        id: row.id,
        attempts: row.attempts,
        lastError: row.lastError,
        userId: row.userId,
        deviceId: row.deviceRegistrationId,
        content: joined.content,
        device: joined.device ?? null,
      };
    });
  }

  /** Gives rows back (no lease, due now), e.g. jobs that never started before a shutdown. */
  async release(ids: number[]): Promise<void> {
    for (let start = 0; start < ids.length; start += UPDATE_CHUNK) {
      const sql = new SqlBuilder(this.dataSource);
      const chunk = ids.slice(start, start + UPDATE_CHUNK);
      await this.dataSource.query(
        `UPDATE push_message SET lease_owner = NULL, next_attempt_at = NULL WHERE id IN (${sql.list(chunk)}) ` +
          `AND status = ${sql.param(PushMessageStatus.PENDING)}`,
        sql.parameters,
      );
    }
  }
}
