import { ENTITIES } from '../../src/database/entities';
import { findSchemaDrift } from '../support/schema-drift';
import { startTestApp } from '../support/test-app';

describe('entities and migrations', () => {
  it('the migrated schema matches every entity: columns, types, nullability and indexes', async () => {
    const t = await startTestApp();
    try {
      expect(t.dataSource.entityMetadatas.map((m) => m.tableName).sort()).toEqual(
        ENTITIES.map((e) => t.dataSource.getMetadata(e).tableName).sort(),
      );
      expect(await findSchemaDrift(t.dataSource)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('running the migrations again on a migrated database changes nothing', async () => {
    const first = await startTestApp();
    const { database } = first;
    await first.app.close();
    const second = await startTestApp({ database });
    try {
      const applied = await second.sql<{ name: string }>(
        'SELECT name FROM push_server_migrations ORDER BY id',
      );
      expect(applied.map((row) => row.name)).toEqual([
        'PowerAuthBaseSchema1763800000000',
        'DeliveryQueue1763900000000',
        'CampaignRuns1764000000000',
        'InboxIndexes1764000000001',
        'Security1764100000000',
      ]);
      expect(await findSchemaDrift(second.dataSource)).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
