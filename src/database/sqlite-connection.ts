import type { Database } from 'better-sqlite3';
import { DataSource } from 'typeorm';

/** The better-sqlite3 connection TypeORM shares for SQLite: for prepared statements and synchronous transactions. */
export function sqliteConnectionOf(dataSource: DataSource): Database {
  return (dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
}

const transactionRunners = new WeakMap<Database, (work: () => unknown) => unknown>();

/**
 * Runs `work` in a transaction of the connection, or in a savepoint of the one already open (rolled back alone when
 * `work` throws). better-sqlite3 builds several wrapper functions for every `transaction()` call; this one is built
 * once per connection.
 */
export function inSqliteTransaction<T>(connection: Database, work: () => T): T {
  let run = transactionRunners.get(connection);
  if (!run) {
    run = connection.transaction((inner: () => unknown) => inner());
    transactionRunners.set(connection, run);
  }
  return run(work) as T;
}
