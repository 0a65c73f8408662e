import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `push_inbox`: a message in a user's inbox. */
@Entity('push_inbox')
@Index('push_inbox_id', ['inboxId'])
@Index('push_inbox_user', ['userId'])
@Index('push_inbox_user_read', ['userId', 'read'])
// Ours (migration InboxIndexes1764000000001): list and onlyUnread list, newest first.
@Index('push_inbox_user_created', ['userId', 'timestampCreated', 'id'])
@Index('push_inbox_user_read_created', ['userId', 'read', 'timestampCreated', 'id'])
export class InboxMessageEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id: number;

  /** The public UUID. */
  @Column({ name: 'inbox_id', type: 'varchar', length: 37 })
  inboxId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId: string;

  /** `text` or `html`. */
  @Column({ name: 'message_type', type: 'varchar', length: 32 })
  type: string;

  @Column({ name: 'subject', type: 'text' })
  subject: string;

  @Column({ name: 'summary', type: 'text' })
  summary: string;

  @Column({ name: 'body', type: 'text' })
  body: string;

  @Column({ name: 'is_read', type: Boolean, default: false })
  read: boolean;

  @Column({ name: 'timestamp_created', type: Date })
  timestampCreated: Date;

  @Column({ name: 'timestamp_read', type: Date, nullable: true })
  timestampRead: Date | null;
}
