import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `push_app_credentials_status`: a platform whose credentials a provider refused, until they change. */
@Entity('push_app_credentials_status')
export class AppCredentialsStatusEntity {
  @PrimaryColumn({ name: 'app_credentials_id', type: 'integer' })
  appCredentialsId: number;

  /** apns, fcm or hms. */
  @PrimaryColumn({ name: 'platform', type: 'varchar', length: 16 })
  platform: string;

  @Column({ name: 'failing_reason', type: 'varchar', length: 1024 })
  failingReason: string;

  @Column({ name: 'failing_since', type: Date })
  failingSince: Date;
}
