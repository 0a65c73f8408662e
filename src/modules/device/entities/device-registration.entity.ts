import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `push_device_registration`: a push token of one activation (or of a device shared by several activations). */
@Entity('push_device_registration')
@Index('push_device_app_token', ['appId', 'pushToken'])
@Index('push_device_user_app', ['userId', 'appId'])
@Index('push_device_activation', ['activationId'], { unique: true })
@Index('push_device_activation_token', ['activationId', 'pushToken'], { unique: true })
export class DeviceRegistrationEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id: number;

  @Column({ name: 'activation_id', type: 'varchar', length: 37, nullable: true })
  activationId: string | null;

  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true })
  userId: string | null;

  /** push_app_credentials.id (the internal number, not the PowerAuth app ID). */
  @Column({ name: 'app_id', type: 'integer' })
  appId: number;

  /** Stored verbatim as sent: apns, fcm, hms or the legacy ios, android, huawei. */
  @Column({ name: 'platform', type: 'varchar', length: 255 })
  platform: string;

  @Column({ name: 'push_token', type: 'varchar', length: 255 })
  pushToken: string;

  @Column({ name: 'timestamp_last_registered', type: Date })
  timestampLastRegistered: Date;

  /** Cache of "the PowerAuth activation is ACTIVE"; personal messages skip inactive devices. */
  @Column({ name: 'is_active', type: Boolean, nullable: true })
  active: boolean | null;

  /** APNs environment of this device: development, production or null (the app's). */
  @Column({ name: 'environment', type: 'varchar', length: 255, nullable: true })
  environment: string | null;
}
