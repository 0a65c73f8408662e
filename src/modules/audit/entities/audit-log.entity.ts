import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `push_audit_log`: who changed what, when and from which address. Never holds secret values. */
@Entity('push_audit_log')
@Index('push_audit_log_created', ['timestampCreated', 'id'])
@Index('push_audit_log_app', ['appId', 'timestampCreated', 'id'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id: number;

  @Column({ name: 'timestamp_created', type: Date })
  timestampCreated: Date;

  @Column({ name: 'action', type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'client_name', type: 'varchar', length: 64, nullable: true })
  clientName: string | null;

  @Column({ name: 'client_key_id', type: 'varchar', length: 64, nullable: true })
  clientKeyId: string | null;

  @Column({ name: 'address', type: 'varchar', length: 64, nullable: true })
  address: string | null;

  @Column({ name: 'app_id', type: 'varchar', length: 255, nullable: true })
  appId: string | null;

  @Column({ name: 'resource', type: 'varchar', length: 255, nullable: true })
  resource: string | null;

  @Column({ name: 'details', type: 'varchar', length: 2048, nullable: true })
  details: string | null;
}
