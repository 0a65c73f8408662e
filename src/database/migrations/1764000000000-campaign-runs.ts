import { MigrationInterface, QueryRunner } from 'typeorm';
import { CAMPAIGN_RUN_TABLES } from '../schema/push-server-schema';
import { reconcileTables } from '../schema/schema-reconciler';

/** Live campaign sends as resumable runs: push_campaign_run, and push_message.campaign_id. */
export class CampaignRuns1764000000000 implements MigrationInterface {
  name = 'CampaignRuns1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await reconcileTables(queryRunner, CAMPAIGN_RUN_TABLES);
  }

  // Additive columns and tables: nothing to undo that could not hold data someone needs.
  async down(): Promise<void> {}
}
