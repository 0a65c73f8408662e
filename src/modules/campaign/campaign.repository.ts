import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { PageRequest } from '../../common/validation/page-query';
import { SqlBuilder } from '../../database/sql-builder';
import { AppCredentialsEntity } from '../admin/entities/app-credentials.entity';
import { CampaignEntity } from './entities/campaign.entity';

/** A campaign row with its app's PowerAuth app id. */
/** The original's message for an unknown campaign id (the API compares it). */
export const CAMPAIGN_NOT_FOUND = 'Campaign with entered ID does not exist';

export interface CampaignRecord {
  id: number;
  /** push_app_credentials.id */
  appCredentialsId: number;
  /** push_app_credentials.app_id, or null when the app row no longer exists. */
  appId: string | null;
  sent: boolean;
  /** JSON of the push message body. */
  message: string;
  timestampCreated: Date;
  timestampSent: Date | null;
  timestampCompleted: Date | null;
}

export type NewCampaign = Pick<CampaignEntity, 'appId' | 'message' | 'timestampCreated'>;

/** `push_campaign` queries; `manager` lets a caller run them inside its transaction. */
@Injectable()
export class CampaignRepository {
  constructor(@InjectRepository(CampaignEntity) private readonly repository: Repository<CampaignEntity>) {}

  private repo(manager?: EntityManager): Repository<CampaignEntity> {
    return manager ? manager.getRepository(CampaignEntity) : this.repository;
  }

  async findById(id: number, manager?: EntityManager): Promise<CampaignRecord | null> {
    const [record] = await this.select(manager, (query) => query.where('c.id = :id', { id }));
    return record ?? null;
  }

  /** One page of every campaign, or of those not sent yet, by id. */
  /** `appIds`: only campaigns of these apps (a restricted caller's); undefined = every campaign. */
  async list(
    onlyUnsent: boolean,
    page: PageRequest,
    appIds?: ReadonlySet<string>,
  ): Promise<CampaignRecord[]> {
    if (appIds?.size === 0) return [];
    return this.select(undefined, (query) => {
      if (onlyUnsent) query.andWhere('c.sent = :sent', { sent: false });
      if (appIds) query.andWhere('a.appId IN (:...appIds)', { appIds: [...appIds] });
      return query.offset(page.offset).limit(page.size);
    });
  }

  async insert(campaign: NewCampaign, manager?: EntityManager): Promise<number> {
    const result = await this.repo(manager).insert({ ...campaign, sent: false });
    return Number(result.identifiers[0].id);
  }

  /** True when the row existed. */
  async deleteById(id: number, manager: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Whether the campaign exists, locking its row until the caller's transaction ends (MySQL, PostgreSQL): writers of
   * one campaign's user list take turns, across nodes too. SQLite transactions already take turns in-process.
   */
  async lockById(id: number, manager: EntityManager): Promise<boolean> {
    const sql = new SqlBuilder(manager.connection);
    const forUpdate = sql.dialect === 'sqlite' ? '' : ' FOR UPDATE';
    const rows: unknown[] = await manager.query(
      `SELECT id FROM push_campaign WHERE id = ${sql.param(id)}${forUpdate}`,
      sql.parameters,
    );
    return rows.length > 0;
  }

  private async select(
    manager: EntityManager | undefined,
    filter: (query: SelectQueryBuilder<CampaignEntity>) => SelectQueryBuilder<CampaignEntity>,
  ): Promise<CampaignRecord[]> {
    const query = this.repo(manager)
      .createQueryBuilder('c')
      .leftJoin(AppCredentialsEntity, 'a', 'a.id = c.appId')
      .addSelect('a.appId', 'powerAuthAppId');
    const { entities, raw } = await filter(query)
      .orderBy('c.id', 'ASC')
      .getRawAndEntities<{ c_id: unknown; powerAuthAppId: string | null }>();
    const appIds = new Map(raw.map((row) => [Number(row.c_id), row.powerAuthAppId ?? null]));
    return entities.map((campaign) => ({
      id: campaign.id,
      appCredentialsId: campaign.appId,
      appId: appIds.get(campaign.id) ?? null,
      sent: campaign.sent,
      message: campaign.message,
      timestampCreated: campaign.timestampCreated,
      timestampSent: campaign.timestampSent,
      timestampCompleted: campaign.timestampCompleted,
    }));
  }
}
