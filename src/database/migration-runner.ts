import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const logger = new Logger('Migrations');

// Arbitrary constant shared by every node, so that only one of several starting nodes migrates at a time.
const PG_LOCK_KEY = 741_852_963;
const MYSQL_LOCK_NAME = 'push_server_migrations';

/** Runs pending migrations under a database-wide lock (PostgreSQL and MySQL; SQLite has one writer anyway). */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  const type = dataSource.options.type;
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    if (type === 'postgres') await lockRunner.query('SELECT pg_advisory_lock($1)', [PG_LOCK_KEY]);
    if (type === 'mysql') await lockRunner.query('SELECT GET_LOCK(?, 300)', [MYSQL_LOCK_NAME]);
    const applied = await dataSource.runMigrations({ transaction: type === 'mysql' ? 'none' : 'each' });
    for (const migration of applied) logger.log(`Applied migration ${migration.name}`);
  } finally {
    if (type === 'postgres') await lockRunner.query('SELECT pg_advisory_unlock($1)', [PG_LOCK_KEY]);
    if (type === 'mysql') await lockRunner.query('SELECT RELEASE_LOCK(?)', [MYSQL_LOCK_NAME]);
    await lockRunner.release();
  }
}
