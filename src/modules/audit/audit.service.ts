import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Paged } from '../../common/envelope/envelope';
import { PushServerError } from '../../common/errors/push-server.error';
import { queryDateTimeValue } from '../../common/validation/constraints';
import { pageRequestOf } from '../../common/validation/page-query';
import { ApiAccess } from '../auth/api-access';
import { AUDIT_ACTIONS, AuditAction } from './audit-actions';
import { AuditListQuery } from './dto/audit.requests';
import { AuditLogEntity } from './entities/audit-log.entity';

export { AUDIT_ACTIONS, type AuditAction };

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

/** One entry of `GET /admin/audit/list`. */
export interface AuditLogItem {
  id: number;
  timestamp: Date;
  action: string;
  clientName: string | null;
  clientKeyId: string | null;
  address: string | null;
  appId: string | null;
  resource: string | null;
  details: unknown;
}

/** Writes `push_audit_log` rows and pages through them for the admin API. */
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

  /**
   * A page of entries, newest first (id breaks ties, so pages are stable). `from` is inclusive, `to` exclusive. A
   * client restricted to some apps sees only their entries: entries of no app (API clients, re-encryption) are not for it.
   */
  async list(query: AuditListQuery, access: ApiAccess): Promise<Paged<AuditLogItem[]>> {
    const page = pageRequestOf(query);
    const from = queryDateTimeValue(query.from);
    const to = queryDateTimeValue(query.to);
    if (from && to && from >= to) {
      throw PushServerError.invalidRequest([
        { fieldName: 'to', invalidValue: query.to, hint: 'must be after from' },
      ]);
    }
    if (query.appId !== undefined) access.assertApp(query.appId);
    const apps =
      query.appId !== undefined ? [query.appId] : access.caller?.appIds && [...access.caller.appIds];
    if (apps?.length === 0) return new Paged([], page.page, page.size);

    const select = this.repository.createQueryBuilder('a');
    if (apps) select.andWhere('a.appId IN (:...apps)', { apps });
    if (query.action) select.andWhere('a.action = :action', { action: query.action });
    if (from) select.andWhere('a.timestampCreated >= :from', { from });
    if (to) select.andWhere('a.timestampCreated < :to', { to });
    const rows = await select
      .orderBy('a.timestampCreated', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .offset(page.offset)
      .limit(page.size)
      .getMany();
    return new Paged(rows.map(itemOf), page.page, page.size);
  }
}

function itemOf(row: AuditLogEntity): AuditLogItem {
  return {
    id: Number(row.id),
    timestamp: row.timestampCreated,
    action: row.action,
    clientName: row.clientName,
    clientKeyId: row.clientKeyId,
    address: row.address,
    appId: row.appId,
    resource: row.resource,
    details: parseDetails(row.details),
  };
}

/** The stored JSON object; a value cut at the column's length (or written by hand) is answered as its text. */
function parseDetails(details: string | null): unknown {
  if (details === null) return null;
  try {
    return JSON.parse(details) as unknown;
  } catch {
    return details;
  }
}
