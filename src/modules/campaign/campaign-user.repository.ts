import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { PageRequest } from '../../common/validation/page-query';
import { SqlBuilder } from '../../database/sql-builder';
import { CampaignUserEntity } from './entities/campaign-user.entity';

// Rows per statement: at most 3,000 parameters, well under SQLite's, MySQL's and PostgreSQL's limits.
const CHUNK = 1000;

/** `push_campaign_user` in bulk: a list of 100,000 users is a few hundred statements, never one per user. */
@Injectable()
export class CampaignUserRepository {
  constructor(
    @InjectRepository(CampaignUserEntity) private readonly repository: Repository<CampaignUserEntity>,
  ) {}

  /** The given users that the campaign already has. */
  async findExisting(campaignId: number, userIds: string[], manager: EntityManager): Promise<Set<string>> {
    const existing = new Set<string>();
    for (const chunk of chunks(userIds)) {
      const sql = new SqlBuilder(manager.connection);
      const rows: Array<{ user_id: string }> = await manager.query(
        `SELECT user_id FROM push_campaign_user WHERE campaign_id = ${sql.param(campaignId)} ` +
          `AND user_id IN (${sql.list(chunk)})`,
        sql.parameters,
      );
      for (const row of rows) existing.add(row.user_id);
    }
    return existing;
  }

  /** Multi-row INSERTs; the id comes from the table (sequence default, AUTO_INCREMENT or rowid). */
  async insert(campaignId: number, userIds: string[], now: Date, manager: EntityManager): Promise<void> {
    for (const chunk of chunks(userIds)) {
      const sql = new SqlBuilder(manager.connection);
      const values = chunk
        .map((userId) => `(${sql.param(campaignId)}, ${sql.param(userId)}, ${sql.param(now)})`)
        .join(', ');
      await manager.query(
        `INSERT INTO push_campaign_user (campaign_id, user_id, timestamp_created) VALUES ${values}`,
        sql.parameters,
      );
    }
  }

  async delete(campaignId: number, userIds: string[], manager: EntityManager): Promise<void> {
    for (const chunk of chunks(userIds)) {
      const sql = new SqlBuilder(manager.connection);
      await manager.query(
        `DELETE FROM push_campaign_user WHERE campaign_id = ${sql.param(campaignId)} ` +
          `AND user_id IN (${sql.list(chunk)})`,
        sql.parameters,
      );
    }
  }

  async deleteByCampaign(campaignId: number, manager: EntityManager): Promise<void> {
    await manager.getRepository(CampaignUserEntity).delete({ campaignId });
  }

  /**
   * One page of the campaign's user ids, in byte order of the id on every dialect (PostgreSQL's database collation
   * could differ), then by row id, so pages are stable.
   */
  async listUserIds(campaignId: number, page: PageRequest): Promise<string[]> {
    const sql = new SqlBuilder(this.repository.manager.connection);
    const collate = sql.dialect === 'postgres' ? ' COLLATE "C"' : '';
    const rows: Array<{ user_id: string }> = await this.repository.manager.query(
      `SELECT user_id FROM push_campaign_user WHERE campaign_id = ${sql.param(campaignId)} ` +
        `ORDER BY user_id${collate}, id LIMIT ${page.size} OFFSET ${page.offset}`,
      sql.parameters,
    );
    return rows.map((row) => row.user_id);
  }
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += CHUNK) yield items.slice(start, start + CHUNK);
}
