import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { PageRequest } from '../../common/validation/page-query';
import { AppCredentialsEntity } from './entities/app-credentials.entity';

/** Columns a listing needs: the flags come from whether the secrets are set, not from their values. */
export interface AppCredentialsSummary {
  appId: string;
  hasApns: boolean;
  hasFcm: boolean;
  hasHms: boolean;
}

@Injectable()
export class AppCredentialsRepository {
  constructor(
    @InjectRepository(AppCredentialsEntity) private readonly repository: Repository<AppCredentialsEntity>,
  ) {}

  findByAppId(appId: string): Promise<AppCredentialsEntity | null> {
    return this.repository.findOneBy({ appId });
  }

  findById(id: number): Promise<AppCredentialsEntity | null> {
    return this.repository.findOneBy({ id });
  }

  /** The internal id of an app, or null; for modules that only need to link rows to it. */
  async findIdByAppId(appId: string): Promise<number | null> {
    const row = await this.repository.findOne({ select: { id: true }, where: { appId } });
    return row?.id ?? null;
  }

  /** The internal ids of the apps that exist among `appIds`, by app ID, in one query. */
  async findIdsByAppIds(appIds: string[]): Promise<Map<string, number>> {
    if (appIds.length === 0) return new Map();
    const rows = await this.repository.find({
      select: { id: true, appId: true },
      where: { appId: In(appIds) },
    });
    return new Map(rows.map((row) => [row.appId, row.id]));
  }

  /** One page of the apps, by id. */
  /** `appIds`: only these apps (a restricted caller's); undefined = every app. */
  async listSummaries(page: PageRequest, appIds?: ReadonlySet<string>): Promise<AppCredentialsSummary[]> {
    if (appIds?.size === 0) return [];
    const query = this.repository.createQueryBuilder('app');
    if (appIds) query.where('app.app_id IN (:...appIds)', { appIds: [...appIds] });
    const rows: Array<Record<string, unknown>> = await query
      .select('app.app_id', 'appId')
      .addSelect('CASE WHEN app.apns_private_key IS NULL THEN 0 ELSE 1 END', 'hasApns')
      .addSelect('CASE WHEN app.fcm_private_key IS NULL THEN 0 ELSE 1 END', 'hasFcm')
      .addSelect(
        'CASE WHEN app.hms_client_id IS NULL OR app.hms_client_secret IS NULL THEN 0 ELSE 1 END',
        'hasHms',
      )
      .orderBy('app.id', 'ASC')
      .offset(page.offset)
      .limit(page.size)
      .getRawMany();
    return rows.map((row) => ({
      appId: String(row.appId),
      hasApns: Number(row.hasApns) === 1,
      hasFcm: Number(row.hasFcm) === 1,
      hasHms: Number(row.hasHms) === 1,
    }));
  }

  async listAppIds(): Promise<string[]> {
    const rows = await this.repository.find({ select: { appId: true } });
    return rows.map((row) => row.appId);
  }

  async insert(appId: string, now: Date): Promise<void> {
    await this.repository.insert({ appId, timestampCreated: now });
  }

  /** Updates the given columns and always moves `timestamp_last_updated`, which invalidates cached clients. */
  async update(id: number, changes: Partial<AppCredentialsEntity>, now: Date): Promise<void> {
    await this.repository.update({ id }, { ...changes, timestampLastUpdated: now });
  }
}
