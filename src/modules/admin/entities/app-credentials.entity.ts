import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { BinaryColumn } from '../../../database/portable-columns';

/** `push_app_credentials`: one push application and its APNs, FCM and HMS credentials. */
@Entity('push_app_credentials')
@Index('push_app_cred_app', ['appId'], { unique: true })
export class AppCredentialsEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id: number;

  /** The PowerAuth application ID. */
  @Column({ name: 'app_id', type: 'varchar', length: 255 })
  appId: string;

  // Deprecated since PowerAuth 1.10: read by older nodes, never written here.
  @Column({ name: 'ios_key_id', type: 'varchar', length: 255, nullable: true })
  iosKeyId: string | null;

  @BinaryColumn({ name: 'ios_private_key', nullable: true, select: false })
  iosPrivateKey: Buffer | null;

  @Column({ name: 'ios_team_id', type: 'varchar', length: 255, nullable: true })
  iosTeamId: string | null;

  @Column({ name: 'ios_bundle', type: 'varchar', length: 255, nullable: true })
  iosBundle: string | null;

  @Column({ name: 'ios_environment', type: 'varchar', length: 32, nullable: true })
  iosEnvironment: string | null;

  @BinaryColumn({ name: 'android_private_key', nullable: true, select: false })
  androidPrivateKey: Buffer | null;

  @Column({ name: 'android_project_id', type: 'varchar', length: 255, nullable: true })
  androidProjectId: string | null;

  @Column({ name: 'hms_project_id', type: 'varchar', length: 255, nullable: true })
  hmsProjectId: string | null;

  @Column({ name: 'hms_client_id', type: 'varchar', length: 255, nullable: true })
  hmsClientId: string | null;

  /** Plain text when written by PowerAuth; encrypted when CREDENTIALS_ENCRYPTION_KEY is set. */
  @Column({ name: 'hms_client_secret', type: 'varchar', length: 255, nullable: true })
  hmsClientSecret: string | null;

  @Column({ name: 'timestamp_created', type: Date, default: () => 'CURRENT_TIMESTAMP' })
  timestampCreated: Date;

  /** Changes whenever credentials change; provider clients are rebuilt when it moves. */
  @Column({ name: 'timestamp_last_updated', type: Date, nullable: true })
  timestampLastUpdated: Date | null;

  /** The .p8 key (PEM text as bytes), or its encrypted form. */
  @BinaryColumn({ name: 'apns_private_key', nullable: true })
  apnsPrivateKey: Buffer | null;

  @Column({ name: 'apns_team_id', type: 'varchar', length: 255, nullable: true })
  apnsTeamId: string | null;

  @Column({ name: 'apns_key_id', type: 'varchar', length: 255, nullable: true })
  apnsKeyId: string | null;

  /** The APNs topic. */
  @Column({ name: 'apns_bundle', type: 'varchar', length: 255, nullable: true })
  apnsBundle: string | null;

  /** `development`, `production`, or null for the APNS_USE_DEVELOPMENT default. */
  @Column({ name: 'apns_environment', type: 'varchar', length: 255, nullable: true })
  apnsEnvironment: string | null;

  /** The Firebase service-account JSON as bytes, or its encrypted form. */
  @BinaryColumn({ name: 'fcm_private_key', nullable: true })
  fcmPrivateKey: Buffer | null;

  @Column({ name: 'fcm_project_id', type: 'varchar', length: 255, nullable: true })
  fcmProjectId: string | null;
}
