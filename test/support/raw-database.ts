import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/common/config/app-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { sqliteValue } from '../../src/database/sql-builder';
import { TestDatabase } from './test-database';

/** A plain connection to a test database, outside the app: for preparing fixtures and reading the schema. */
export async function withRawDatabase<T>(
  database: TestDatabase,
  work: (run: (sql: string, parameters?: unknown[]) => Promise<any>, dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const options = buildDataSourceOptions(loadConfig({ DATABASE_URL: database.url }).database);
  const dataSource = await new DataSource({
    ...options,
    entities: [],
    migrations: [],
  } as typeof options).initialize();
  const run = (sql: string, parameters?: unknown[]) => {
    let index = 0;
    const portable = dataSource.options.type === 'postgres' ? sql.replace(/\?/g, () => `$${++index}`) : sql;
    // SQLite binds no Date; TypeORM stores UTC text in this form.
    const bound = dataSource.options.type === 'better-sqlite3' ? parameters?.map(sqliteValue) : parameters;
    return dataSource.query(portable, bound);
  };
  try {
    return await work(run, dataSource);
  } finally {
    await dataSource.destroy();
  }
}
