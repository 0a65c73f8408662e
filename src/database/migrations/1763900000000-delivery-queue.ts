import { MigrationInterface, QueryRunner } from 'typeorm';
import { DELIVERY_TABLES } from '../schema/push-server-schema';
import { reconcileTables } from '../schema/schema-reconciler';

/** push_message as a durable send queue, message contents, and the credentials-failing flag. */
export class DeliveryQueue1763900000000 implements MigrationInterface {
  name = 'DeliveryQueue1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await reconcileTables(queryRunner, DELIVERY_TABLES);
  }

  // Additive columns and tables: nothing to undo that could not hold data someone needs.
  async down(): Promise<void> {}
}
