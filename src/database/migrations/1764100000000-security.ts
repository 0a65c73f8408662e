import { MigrationInterface, QueryRunner } from 'typeorm';
import { SECURITY_TABLES } from '../schema/push-server-schema';
import { reconcileTables } from '../schema/schema-reconciler';

/** API clients (push_api_client) and the audit log (push_audit_log). */
export class Security1764100000000 implements MigrationInterface {
  name = 'Security1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await reconcileTables(queryRunner, SECURITY_TABLES);
  }

  // New tables of our own; dropping them would lock every client out and lose the audit trail.
  async down(): Promise<void> {}
}
