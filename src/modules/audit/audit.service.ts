import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiAccess } from '../auth/api-access';
import { AuditLogEntity } from './entities/audit-log.entity';

/** What the audit log records; stable names, part of the admin API. */
export type AuditAction =
  | 'app.created'
  | 'app.credentials.updated'
  | 'app.credentials.removed'
  | 'campaign.sent'
  | 'device.deleted'
  | 'client.created'
  | 'client.rotated'
  | 'client.revoked'
  | 'credentials.re-encrypted';

export interface AuditEntry {
  action: AuditAction;
  /** Who asked: the request's access, or `cliActor` for the command-line tool. */
  access?: ApiAccess;
  /** The command-line tool's user (`cli:<os user>`), when no API client asked. */
  cliActor?: string;
  appId?: string;
  /** What was acted on, e.g. `campaign:12`, `client:reporting`, `device:…a1b2c3` (never a whole token). */
  resource?: string;
  /** Facts about the change, never secret values (e.g. `{ platform: 'apns' }`). */
  details?: Record<string, string | number | boolean | null>;
}

/** Writes `push_audit_log` rows. */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditLogEntity) private readonly repository: Repository<AuditLogEntity>) {}

  async record(entry: AuditEntry, now = new Date()): Promise<void> {
    const caller = entry.access?.caller;
    await this.repository.insert({
      timestampCreated: now,
      action: entry.action,
      clientName: caller?.name ?? entry.cliActor?.slice(0, 64) ?? null,
      clientKeyId: caller?.keyId ?? null,
      address: entry.access?.address?.slice(0, 64) ?? null,
      appId: entry.appId ?? null,
      resource: entry.resource?.slice(0, 255) ?? null,
      details: entry.details ? JSON.stringify(entry.details).slice(0, 2048) : null,
    });
  }
}
