import type { Database } from 'better-sqlite3';
import { DataSource } from 'typeorm';

/** The better-sqlite3 connection TypeORM shares for SQLite: for prepared statements and synchronous transactions. */
export function sqliteConnectionOf(dataSource: DataSource): Database {
  return (dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
}
