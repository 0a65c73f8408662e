import { Entity, PrimaryColumn } from 'typeorm';

/** `push_inbox_app`: which apps an inbox message belongs to (both columns are internal ids). */
@Entity('push_inbox_app')
export class InboxAppEntity {
  @PrimaryColumn({ name: 'app_credentials_id', type: 'integer' })
  appCredentialsId: number;

  /** push_inbox.id, not the public UUID. */
  @PrimaryColumn({ name: 'inbox_id', type: 'integer' })
  inboxId: number;
}
