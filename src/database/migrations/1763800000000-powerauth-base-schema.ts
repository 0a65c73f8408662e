import { MigrationInterface, QueryRunner } from 'typeorm';
import { POWERAUTH_TABLES } from '../schema/powerauth-schema';
import { reconcileTables } from '../schema/schema-reconciler';

/**
 * The PowerAuth Push Server 1.10 schema. On an empty database it creates every table; on a database a PowerAuth
 * server already uses it only adds what is missing, and repeats the 1.10 copy of ios_* / android_* credentials into
 * the apns_* / fcm_* columns when it is the one adding them.
 */
export class PowerAuthBaseSchema1763800000000 implements MigrationInterface {
  name = 'PowerAuthBaseSchema1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await reconcileTables(queryRunner, POWERAUTH_TABLES, {
      afterColumnsAdded: async (runner, table, columns) => {
        if (table !== 'push_app_credentials') return;
        if (columns.includes('apns_private_key')) {
          await runner.query(
            'UPDATE push_app_credentials SET apns_bundle = ios_bundle, apns_environment = ios_environment, ' +
              'apns_key_id = ios_key_id, apns_private_key = ios_private_key, apns_team_id = ios_team_id ' +
              'WHERE apns_private_key IS NULL',
          );
        }
        if (columns.includes('fcm_private_key')) {
          await runner.query(
            'UPDATE push_app_credentials SET fcm_private_key = android_private_key, ' +
              'fcm_project_id = android_project_id WHERE fcm_private_key IS NULL',
          );
        }
      },
    });
  }

  // The tables may hold a PowerAuth deployment's data: never dropped by a rollback.
  async down(): Promise<void> {}
}
