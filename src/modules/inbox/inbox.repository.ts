import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TransactionRunner } from '../../database/transaction-runner';
import { AppCredentialsEntity } from '../admin/entities/app-credentials.entity';
import { InboxAppEntity } from './entities/inbox-app.entity';
import { InboxMessageEntity } from './entities/inbox-message.entity';

/**
 * "Message `messageId` is linked to an app matching `appCondition`", as a correlated scalar subquery probed per
 * message through push_inbox_app_inbox. Not EXISTS or IN: MariaDB (and MySQL 8) turn those into a semi-join that
 * may materialize every link of the apps before reading the user's messages (measured on MariaDB with 300,000
 * messages: 170 ms instead of 5 for a user with 75,000 of them, and it grows with the table).
 */
const linkedToApps = (messageId: string, appCondition: string) =>
  `(SELECT 1 FROM push_inbox_app a WHERE a.inbox_id = ${messageId} AND a.app_credentials_id ${appCondition} ` +
  'LIMIT 1) IS NOT NULL';

export type NewInboxMessage = Omit<InboxMessageEntity, 'id'>;

/** A list item: the message without its body. */
export type InboxMessageSummary = Pick<
  InboxMessageEntity,
  'id' | 'inboxId' | 'type' | 'subject' | 'summary' | 'read' | 'timestampCreated'
>;

/**
 * `push_inbox` and `push_inbox_app` queries, shaped for the inbox indexes (INBOX_INDEXES): the user's rows are read
 * newest first from an index, and each is probed in push_inbox_app by message id, stopping at the end of the page.
 */
@Injectable()
export class InboxRepository {
  constructor(
    @InjectRepository(InboxMessageEntity) private readonly messages: Repository<InboxMessageEntity>,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Stores the message and its app links atomically; returns push_inbox.id. */
  insert(message: NewInboxMessage, appCredentialsIds: number[]): Promise<number> {
    return this.transactions.run(async (manager) => {
      const result = await manager.getRepository(InboxMessageEntity).insert(message);
      const id = result.identifiers[0].id as number;
      await manager
        .getRepository(InboxAppEntity)
        .insert(appCredentialsIds.map((appCredentialsId) => ({ appCredentialsId, inboxId: id })));
      return id;
    });
  }

  /** The message with this public id (the first one, should a PowerAuth database hold two). */
  findByInboxId(inboxId: string): Promise<InboxMessageEntity | null> {
    return this.messages.findOne({ where: { inboxId }, order: { id: 'ASC' } });
  }

  findById(id: number): Promise<InboxMessageEntity | null> {
    return this.messages.findOneBy({ id });
  }

  /** The app IDs a message belongs to, in code-unit order. */
  async appIdsOf(id: number): Promise<string[]> {
    const rows: Array<{ appId: string }> = await this.messages.manager
      .createQueryBuilder()
      .select('c.app_id', 'appId')
      .from(InboxAppEntity, 'a')
      .innerJoin(AppCredentialsEntity, 'c', 'c.id = a.app_credentials_id')
      .where('a.inbox_id = :id', { id })
      .getRawMany();
    return rows.map((row) => String(row.appId)).sort(byCodeUnits);
  }

  /** A page of the user's messages linked to any of the apps, newest first (id breaks ties, so pages are stable). */
  list(
    userId: string,
    appCredentialsIds: number[],
    onlyUnread: boolean,
    offset: number,
    limit: number,
  ): Promise<InboxMessageSummary[]> {
    const query = this.messages
      .createQueryBuilder('m')
      .select(['m.id', 'm.inboxId', 'm.type', 'm.subject', 'm.summary', 'm.read', 'm.timestampCreated'])
      .where('m.userId = :userId', { userId });
    if (onlyUnread) query.andWhere('m.read = :read', { read: false });
    return query
      .andWhere(linkedToApps('m.id', 'IN (:...apps)'), { apps: appCredentialsIds })
      .orderBy('m.timestampCreated', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .offset(offset)
      .limit(limit)
      .getMany();
  }

  async countUnread(userId: string, appCredentialsId: number): Promise<number> {
    const row: { count: unknown } | undefined = await this.messages
      .createQueryBuilder('m')
      .select('COUNT(*)', 'count')
      .innerJoin(InboxAppEntity, 'a', 'a.inbox_id = m.id AND a.app_credentials_id = :app', {
        app: appCredentialsId,
      })
      .where('m.userId = :userId', { userId })
      .andWhere('m.read = :read', { read: false })
      .getRawOne();
    return Number(row?.count ?? 0);
  }

  /** Marks one message read unless it already is, so `timestamp_read` is set once even under concurrent reads. */
  async markRead(id: number, now: Date): Promise<void> {
    await this.messages.update({ id, read: false }, { read: true, timestampRead: now });
  }

  /** Marks the user's unread messages of the app read; returns how many. */
  async markAllRead(userId: string, appCredentialsId: number, now: Date): Promise<number> {
    const result = await this.messages
      .createQueryBuilder()
      .update(InboxMessageEntity)
      .set({ read: true, timestampRead: now })
      .where('user_id = :userId', { userId })
      .andWhere('is_read = :read', { read: false })
      .andWhere(linkedToApps('push_inbox.id', '= :app'), { app: appCredentialsId })
      .execute();
    return result.affected ?? 0;
  }
}

/** Plain string order, the same on every database (collations differ). */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
