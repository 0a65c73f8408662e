import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `push_campaign_user`: a user a campaign goes to. */
@Entity('push_campaign_user')
@Index('push_campaign_user_campaign', ['campaignId', 'userId'])
@Index('push_campaign_user_detail', ['userId'])
export class CampaignUserEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id: number;

  @Column({ name: 'campaign_id', type: 'integer' })
  campaignId: number;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId: string;

  @Column({ name: 'timestamp_created', type: Date })
  timestampCreated: Date;
}
