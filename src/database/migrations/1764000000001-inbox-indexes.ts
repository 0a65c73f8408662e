import { MigrationInterface, QueryRunner } from 'typeorm';
import { INBOX_INDEXES } from '../schema/push-server-schema';
import { reconcileTables } from '../schema/schema-reconciler';

/**
 * Indexes that keep the inbox list and count fast with millions of messages. Only adds indexes missing by name, so
 * an operator may create them beforehand (CREATE INDEX CONCURRENTLY on a large PostgreSQL table).
 */
export class InboxIndexes1764000000001 implements MigrationInterface {
  name = 'InboxIndexes1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await reconcileTables(queryRunner, INBOX_INDEXES);
  }

  // Indexes of our own; a rollback keeps them (harmless to PowerAuth nodes, costly to rebuild).
  async down(): Promise<void> {}
}
