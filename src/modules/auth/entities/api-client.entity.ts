import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `push_api_client`: a caller of the API, its scopes and the apps it may act on. */
@Entity('push_api_client')
@Index('push_api_client_name', ['name'], { unique: true })
@Index('push_api_client_key_id', ['keyId'], { unique: true })
export class ApiClientEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id: number;

  @Column({ name: 'name', type: 'varchar', length: 64 })
  name: string;

  /** Public half of the key: the Basic user name, and the part of a Bearer key before the dot. */
  @Column({ name: 'key_id', type: 'varchar', length: 64 })
  keyId: string;

  /** scrypt hash of the secret (api-key.ts); the secret itself is never stored. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 255 })
  secretHash: string;

  /** Comma separated ApiScope values. */
  @Column({ name: 'scopes', type: 'varchar', length: 255 })
  scopes: string;

  /** JSON array of app ids the client may act on; null = every app. */
  @Column({ name: 'app_ids', type: 'text', nullable: true })
  appIds: string | null;

  @Column({ name: 'timestamp_created', type: Date })
  timestampCreated: Date;

  @Column({ name: 'timestamp_rotated', type: Date, nullable: true })
  timestampRotated: Date | null;

  @Column({ name: 'timestamp_last_used', type: Date, nullable: true })
  timestampLastUsed: Date | null;

  @Column({ name: 'timestamp_revoked', type: Date, nullable: true })
  timestampRevoked: Date | null;
}
