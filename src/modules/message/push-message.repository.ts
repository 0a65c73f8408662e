import { Injectable } from '@nestjs/common';
import type { Database } from 'better-sqlite3';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { preparedStatement } from '../../database/cached-query';
import { SqlBuilder, sqliteValue } from '../../database/sql-builder';
import { sqliteConnectionOf } from '../../database/sqlite-connection';
import { TransactionRunner } from '../../database/transaction-runner';
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

/** The columns an outcome changes, in the order of updateValues(). */
const UPDATED_COLUMNS = [
  'status',
  'attempts',
  'next_attempt_at',
  'lease_owner',
  'provider_message_id',
  'last_error',
  'timestamp_finished',
] as const;

/** A new row's columns: what identifies the send, then its state (the updated columns). */
const INSERTED_COLUMNS = [
  'device_registration_id',
  'user_id',
  'activation_id',
  'is_silent',
  'is_personal',
  'message_body',
  'timestamp_created',
  'content_id',
  'campaign_id',
  ...UPDATED_COLUMNS,
] as const;

function insertValues(row: NewPushMessage): unknown[] {
  return [
    row.deviceRegistrationId,
    row.userId,
    row.activationId,
    row.silent,
    row.personal,
    row.messageBody,
    row.timestampCreated,
    row.contentId,
    row.campaignId,
    ...updateValues({ ...row, id: 0, finishedAt: row.timestampFinished }),
  ];
}

function updateValues(u: StatusUpdate): unknown[] {
  return [
    u.status,
    u.attempts,
    u.nextAttemptAt,
    u.leaseOwner,
    u.providerMessageId,
    u.lastError,
    u.finishedAt,
  ];
}

/** The guard of insertGuarded changed no row: someone else holds what the rows belong to. */
export class GuardFailedError extends Error {
  constructor() {
    super('The guard statement changed no row');
  }
}

// The SQLite statements of the send path, prepared once per connection (preparedStatement).
const SQLITE_UPDATE = `UPDATE push_message SET ${UPDATED_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;
const SQLITE_INSERT_MESSAGE =
  `INSERT INTO push_message (${INSERTED_COLUMNS.join(', ')}) ` +
  `VALUES (${INSERTED_COLUMNS.map(() => '?').join(', ')})`;
const SQLITE_INSERT_CONTENT =
  'INSERT INTO push_message_content (app_id, body, priority, is_silent, is_personal, valid_until, ' +
  'timestamp_created) VALUES (?, ?, ?, ?, ?, ?, ?)';

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
  private mysqlIdStepValue?: Promise<number | undefined>;

  constructor(
    @InjectRepository(PushMessageEntity) private readonly messages: Repository<PushMessageEntity>,
    @InjectRepository(PushMessageContentEntity)
    private readonly contents: Repository<PushMessageContentEntity>,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * Records a send atomically: its contents, then the rows `rowsFor` makes from the content ids. Answers the rows with
   * their ids. On SQLite, prepared statements in one synchronous transaction; elsewhere one database transaction.
   */
  async insertSend(
    contents: NewPushMessageContent[],
    rowsFor: (contentIds: number[]) => NewPushMessage[],
  ): Promise<Array<{ row: NewPushMessage; id: number }>> {
    if (new SqlBuilder(this.dataSource).dialect === 'sqlite')
      return this.transactions.runSync(() => this.insertSendOnSqlite(contents, rowsFor));
    return this.transactions.run(async (manager) => {
      const rows = rowsFor(await this.insertContents(contents, manager));
      const ids = await this.insertMessages(rows, manager);
      return rows.map((row, index) => ({ row, id: ids[index] }));
    });
  }

  private insertSendOnSqlite(
    contents: NewPushMessageContent[],
    rowsFor: (contentIds: number[]) => NewPushMessage[],
  ): Array<{ row: NewPushMessage; id: number }> {
    const db = this.sqlite();
    const insertContent = preparedStatement(db, SQLITE_INSERT_CONTENT);
    const insertMessage = preparedStatement(db, SQLITE_INSERT_MESSAGE);
    // Runs inside TransactionRunner.runSync, whose savepoint makes the inserts all or nothing.
    const contentIds = contents.map((c) =>
      Number(
        insertContent.run(
          ...[c.appId, c.body, c.priority, c.silent, c.personal, c.validUntil, c.timestampCreated].map(
            sqliteValue,
          ),
        ).lastInsertRowid,
      ),
    );
    return rowsFor(contentIds).map((row) => ({
      row,
      id: Number(insertMessage.run(...insertValues(row).map(sqliteValue)).lastInsertRowid),
    }));
  }

  /**
   * Records rows together with a guard statement in one transaction: the guard (e.g. a campaign run moving its cursor
   * past these rows, while this node still holds it) must change exactly one row, or nothing is written and
   * GuardFailedError is thrown. Answers the rows' ids, in order.
   */
  async insertGuarded(rows: NewPushMessage[], guard: (sql: SqlBuilder) => string): Promise<number[]> {
    if (new SqlBuilder(this.dataSource).dialect === 'sqlite') {
      const db = this.sqlite();
      const insertMessage = preparedStatement(db, SQLITE_INSERT_MESSAGE);
      // runSync's savepoint undoes the guard statement when it throws.
      return this.transactions.runSync(() => {
        const sql = new SqlBuilder(this.dataSource);
        if (db.prepare(guard(sql)).run(...sql.parameters).changes !== 1) throw new GuardFailedError();
        return rows.map((row) =>
          Number(insertMessage.run(...insertValues(row).map(sqliteValue)).lastInsertRowid),
        );
      });
    }
    return this.transactions.run(async (manager) => {
      const sql = new SqlBuilder(this.dataSource);
      const result = await manager.queryRunner!.query(guard(sql), sql.parameters, true);
      if (result.affected !== 1) throw new GuardFailedError();
      return this.insertMessages(rows, manager);
    });
  }

  /**
   * Answers the ids, in order. One multi-row statement (a send has at most 20 contents): its ids increase in the
   * order of its rows, read back with RETURNING, or on MySQL/MariaDB counted from the first id when the server hands
   * a statement consecutive ids; otherwise one statement per content.
   */
  async insertContents(rows: NewPushMessageContent[], manager?: EntityManager): Promise<number[]> {
    if (rows.length === 0) return [];
    const run = (text: string, parameters: unknown[]) => (manager ?? this.dataSource).query(text, parameters);
    const statement = (chunk: NewPushMessageContent[]) => {
      const sql = new SqlBuilder(this.dataSource);
      const values = chunk.map(
        (row) =>
          `(${[
            row.appId,
            row.body,
            row.priority,
            row.silent,
            row.personal,
            row.validUntil,
            row.timestampCreated,
          ]
            .map((value) => sql.param(value))
            .join(', ')})`,
      );
      const text =
        `INSERT INTO push_message_content (app_id, body, priority, is_silent, is_personal, valid_until, ` +
        `timestamp_created) VALUES ${values.join(', ')}`;
      return { sql, text };
    };
    const { sql, text } = statement(rows);
    if (sql.dialect !== 'mysql') {
      const returned = (await run(`${text} RETURNING id`, sql.parameters)) as Array<{ id: number | string }>;
      return returned.map((row) => Number(row.id)).sort((a, b) => a - b);
    }
    const step = rows.length > 1 ? await this.mysqlIdStep(manager) : 1;
    if (step !== undefined) {
      const result = (await run(text, sql.parameters)) as { insertId: number };
      return rows.map((_row, index) => Number(result.insertId) + index * step);
    }
    const ids: number[] = [];
    for (const row of rows) {
      const single = statement([row]);
      ids.push(Number(((await run(single.text, single.sql.parameters)) as { insertId: number }).insertId));
    }
    return ids;
  }

  /**
   * The distance between the ids of one multi-row insert on MySQL/MariaDB (`auto_increment_increment`), or undefined
   * when the server may interleave them with other statements' (`innodb_autoinc_lock_mode` 2, MySQL 8's default).
   * Read once.
   */
  private mysqlIdStep(manager?: EntityManager): Promise<number | undefined> {
    this.mysqlIdStepValue ??= (manager ?? this.dataSource)
      .query('SELECT @@innodb_autoinc_lock_mode AS lock_mode, @@auto_increment_increment AS step')
      .then(
        ([row]: Array<{ lock_mode: number | string; step: number | string }>) =>
          Number(row.lock_mode) === 2 || !(Number(row.step) >= 1) ? undefined : Number(row.step),
        // Unknown: one statement per content is right whatever the server does.
        () => undefined,
      );
    return this.mysqlIdStepValue;
  }

  /**
   * Inserts the rows in multi-row statements and answers their ids, in order. Hand-written: TypeORM's insert costs
   * milliseconds per call at this width (quadratic parameter handling, then a SELECT back per row).
   */
  async insertMessages(rows: NewPushMessage[], manager?: EntityManager): Promise<number[]> {
    const run = (text: string, parameters: unknown[]) => (manager ?? this.dataSource).query(text, parameters);
    const ids = new Map<string, number>();
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const chunk = rows.slice(start, start + INSERT_CHUNK);
      const sql = new SqlBuilder(this.dataSource);
      const values = chunk.map(
        (row) =>
          `(${insertValues(row)
            .map((value) => sql.param(value))
            .join(', ')})`,
      );
      const insert = `INSERT INTO push_message (${INSERTED_COLUMNS.join(', ')}) VALUES ${values.join(', ')}`;
      let inserted: Array<{
        id: number | string;
        content_id: number | string;
        device_registration_id: number | string;
      }>;
      if (sql.dialect === 'mysql') {
        // No RETURNING on MySQL: (content_id, device) identifies a row of one send.
        await run(insert, sql.parameters);
        const select = new SqlBuilder(this.dataSource);
        const contentIds = [...new Set(chunk.map((row) => row.contentId))];
        const deviceIds = [...new Set(chunk.map((row) => row.deviceRegistrationId))];
        inserted = await run(
          `SELECT id, content_id, device_registration_id FROM push_message WHERE content_id IN (${select.list(contentIds)}) ` +
            `AND device_registration_id IN (${select.list(deviceIds)})`,
          select.parameters,
        );
      } else {
        inserted = await run(`${insert} RETURNING id, content_id, device_registration_id`, sql.parameters);
      }
      for (const row of inserted) ids.set(`${row.content_id}:${row.device_registration_id}`, Number(row.id));
    }
    return rows.map((row) => ids.get(`${row.contentId}:${row.deviceRegistrationId}`)!);
  }

  /** Writes many rows' states at once: linear in the number of rows, one statement (or transaction) per chunk. */
  async applyUpdates(updates: StatusUpdate[]): Promise<void> {
    const dialect = new SqlBuilder(this.dataSource).dialect;
    if (dialect === 'sqlite') return this.transactions.runSync(() => this.applyUpdatesOnSqlite(updates));
    for (let start = 0; start < updates.length; start += UPDATE_CHUNK) {
      const chunk = updates.slice(start, start + UPDATE_CHUNK);
      const sql = new SqlBuilder(this.dataSource);
      if (dialect === 'postgres') {
        const values = chunk
          .map(
            (u) =>
              `(${sql.param(u.id, 'integer')}, ${sql.param(u.status, 'integer')}, ${sql.param(u.attempts, 'integer')}, ` +
              `${sql.param(u.nextAttemptAt, 'timestamp')}, ${sql.param(u.leaseOwner, 'varchar')}, ` +
              `${sql.param(u.providerMessageId, 'varchar')}, ${sql.param(u.lastError, 'varchar')}, ` +
              `${sql.param(u.finishedAt, 'timestamp')})`,
          )
          .join(', ');
        await this.dataSource.query(
          `UPDATE push_message AS m SET ${UPDATED_COLUMNS.map((c) => `${c} = v.${c}`).join(', ')} ` +
            `FROM (VALUES ${values}) AS v(id, ${UPDATED_COLUMNS.join(', ')}) WHERE m.id = v.id`,
          sql.parameters,
        );
      } else {
        // MySQL/MariaDB: join a derived table of the new values.
        const rows = chunk
          .map((u, i) => {
            const cells = [u.id, ...updateValues(u)].map((value) => sql.param(value));
            const named =
              i === 0 ? cells.map((cell, c) => `${cell} AS ${['id', ...UPDATED_COLUMNS][c]}`) : cells;
            return `SELECT ${named.join(', ')}`;
          })
          .join(' UNION ALL ');
        await this.dataSource.query(
          `UPDATE push_message m JOIN (${rows}) v ON m.id = v.id ` +
            `SET ${UPDATED_COLUMNS.map((c) => `m.${c} = v.${c}`).join(', ')}`,
          sql.parameters,
        );
      }
    }
  }

  /**
   * SQLite runs in-process: one cached prepared statement executed per row inside a synchronous transaction, which
   * nothing else can interleave with, is far cheaper than any bulk statement.
   */
  private applyUpdatesOnSqlite(updates: StatusUpdate[]): void {
    const db = this.sqlite();
    const update = preparedStatement(db, SQLITE_UPDATE);
    for (const u of updates) update.run(...updateValues(u).map(sqliteValue), u.id);
  }

  private sqlite(): Database {
    return sqliteConnectionOf(this.dataSource);
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

  loadContents(ids: number[]): Promise<PushMessageContentEntity[]> {
    return this.contents.findBy({ id: In(ids) });
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
