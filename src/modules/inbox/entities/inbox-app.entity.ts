import { Entity, Index, PrimaryColumn } from 'typeorm';

/** `push_inbox_app`: which apps an inbox message belongs to (both columns are internal ids). */
@Entity('push_inbox_app')
// Ours (migration InboxIndexes1764000000001): the apps of one message.
@Index('push_inbox_app_inbox', ['inboxId', 'appCredentialsId'])
export class InboxAppEntity {
  @PrimaryColumn({ name: 'app_credentials_id', type: 'integer' })
  appCredentialsId: number;

  /** push_inbox.id, not the public UUID. */
  @PrimaryColumn({ name: 'inbox_id', type: 'integer' })
  inboxId: number;
}
