import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `push_campaign`: one message for a list of users of one app. */
@Entity('push_campaign')
@Index('push_campaign_sent', ['sent'])
export class CampaignEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id: number;

  /** push_app_credentials.id */
  @Column({ name: 'app_id', type: 'integer' })
  appId: number;

  /** JSON of the push message body. */
  @Column({ name: 'message', type: 'varchar', length: 4000 })
  message: string;

  @Column({ name: 'is_sent', type: Boolean, default: false })
  sent: boolean;

  @Column({ name: 'timestamp_created', type: Date })
  timestampCreated: Date;

  @Column({ name: 'timestamp_sent', type: Date, nullable: true })
  timestampSent: Date | null;

  @Column({ name: 'timestamp_completed', type: Date, nullable: true })
  timestampCompleted: Date | null;
}
