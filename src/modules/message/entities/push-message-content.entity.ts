import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `push_message_content`: one message as sent to all of its devices. */
@Entity('push_message_content')
export class PushMessageContentEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id: number;

  /** push_app_credentials.id */
  @Column({ name: 'app_id', type: 'integer' })
  appId: number;

  /** JSON of the PushMessageBody. */
  @Column({ name: 'body', type: 'text' })
  body: string;

  /** HIGH or NORMAL. */
  @Column({ name: 'priority', type: 'varchar', length: 16 })
  priority: string;

  @Column({ name: 'is_silent', type: Boolean, default: false })
  silent: boolean;

  @Column({ name: 'is_personal', type: Boolean, default: false })
  personal: boolean;

  @Column({ name: 'valid_until', type: Date, nullable: true })
  validUntil: Date | null;

  @Column({ name: 'timestamp_created', type: Date })
  timestampCreated: Date;
}
