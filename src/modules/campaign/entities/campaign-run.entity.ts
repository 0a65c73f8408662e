import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type CampaignRunState = 'QUEUED' | 'SENDING' | 'COMPLETED' | 'FAILED';

/** `push_campaign_run`: a live send of a campaign, resumable from `cursor_user_id`. */
@Entity('push_campaign_run')
@Index('push_campaign_run_state', ['state'])
export class CampaignRunEntity {
  @PrimaryColumn({ name: 'campaign_id', type: 'integer' })
  campaignId: number;

  @Column({ name: 'state', type: 'varchar', length: 16 })
  state: CampaignRunState;

  /** push_message_content.id: the notification every device of the run gets. */
  @Column({ name: 'content_id', type: 'integer' })
  contentId: number;

  /** The last user whose devices are recorded; the run continues after it. */
  @Column({ name: 'cursor_user_id', type: 'varchar', length: 255, nullable: true })
  cursorUserId: string | null;

  /** Every user's devices are recorded; what remains is waiting for their outcomes. */
  @Column({ name: 'users_done', type: Boolean, default: false })
  usersDone: boolean;

  @Column({ name: 'lease_owner', type: 'varchar', length: 64, nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_until', type: Date, nullable: true })
  leaseUntil: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1024, nullable: true })
  lastError: string | null;

  @Column({ name: 'timestamp_queued', type: Date })
  timestampQueued: Date;

  @Column({ name: 'timestamp_finished', type: Date, nullable: true })
  timestampFinished: Date | null;
}
