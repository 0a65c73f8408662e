import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { types as pgTypes, defaults as pgDefaults } from 'pg';
import { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../common/config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { applyDialectColumnTypes } from './portable-columns';

export const MIGRATIONS_TABLE = 'push_server_migrations';

const PG_TIMESTAMP_WITHOUT_TIME_ZONE = 1114;

/** TypeORM options for the configured database. All timestamps are stored and read as UTC on every dialect. */
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  applyDialectColumnTypes(config.dialect);
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    // TypeORM would log failed queries with their parameters: whole push tokens and secrets. Errors reach the
    // exception filter, which logs them without parameters.
    logging: false,
  };
  if (config.dialect === 'sqlite') {
    const path = config.sqlitePath!;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: path,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  if (config.dialect === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      url: config.url.replace(/^mariadb:/, 'mysql:'),
      timezone: 'Z',
      charset: 'utf8mb4_bin',
      extra: { connectionLimit: config.poolSize },
    };
  }
  // `timestamp without time zone` holds UTC: write and read it as UTC whatever the process time zone is.
  pgDefaults.parseInputDatesAsUTC = true;
  pgTypes.setTypeParser(
    PG_TIMESTAMP_WITHOUT_TIME_ZONE,
    (value: string) => new Date(`${value.replace(' ', 'T')}Z`),
  );
  return {
    ...common,
    type: 'postgres',
    url: config.url.replace(/^postgresql:/, 'postgres:'),
    extra: { max: config.poolSize },
  };
}
