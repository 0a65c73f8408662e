import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum PushMessageStatus {
  PENDING = 0,
  SENT = 1,
  FAILED = -1,
}

/** `push_message`: one push to one device, and what became of it. */
@Entity('push_message')
@Index('push_message_status', ['status'])
@Index('push_message_pending', ['status', 'nextAttemptAt'])
@Index('push_message_campaign', ['campaignId', 'status'])
@Index('push_message_content_device', ['contentId', 'deviceRegistrationId'])
export class PushMessageEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id: number;

  @Column({ name: 'device_registration_id', type: 'integer' })
  deviceRegistrationId: number;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId: string;

  @Column({ name: 'activation_id', type: 'varchar', length: 37, nullable: true })
  activationId: string | null;

  @Column({ name: 'is_silent', type: Boolean, default: false })
  silent: boolean;

  @Column({ name: 'is_personal', type: Boolean, default: false })
  personal: boolean;

  /** JSON of the push message body. */
  @Column({ name: 'message_body', type: 'varchar', length: 2048 })
  messageBody: string;

  @Column({ name: 'timestamp_created', type: Date })
  timestampCreated: Date;

  @Column({ name: 'status', type: 'integer' })
  status: PushMessageStatus;

  // The columns below are this server's (durable send queue); rows PowerAuth wrote have content_id null.

  /** push_message_content.id: the full message, shared by all devices of one send. */
  @Column({ name: 'content_id', type: 'integer', nullable: true })
  contentId: number | null;

  @Column({ name: 'attempts', type: 'integer', default: 0 })
  attempts: number;

  /** Not before this instant; while a node works on the row, the end of its lease. */
  @Column({ name: 'next_attempt_at', type: Date, nullable: true })
  nextAttemptAt: Date | null;

  /** The node (NODE_ID) holding the lease. */
  @Column({ name: 'lease_owner', type: 'varchar', length: 64, nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 255, nullable: true })
  providerMessageId: string | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1024, nullable: true })
  lastError: string | null;

  @Column({ name: 'timestamp_finished', type: Date, nullable: true })
  timestampFinished: Date | null;

  /** push_campaign.id when the row belongs to a live campaign send. */
  @Column({ name: 'campaign_id', type: 'integer', nullable: true })
  campaignId: number | null;
}
