import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum PushMessageStatus {
  PENDING = 0,
  SENT = 1,
  FAILED = -1,
}

/** `push_message`: one push to one device, and what became of it. */
@Entity('push_message')
@Index('push_message_status', ['status'])
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
}
