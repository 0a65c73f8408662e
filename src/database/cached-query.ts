import type { Database, Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { sqliteConnectionOf } from './sqlite-connection';

// Enough for every shape of the hot statements (one per IN-list length up to a batch's 20 users, and the send path's
// writes), small enough to bound.
const MAX_STATEMENTS = 64;
const caches = new WeakMap<Database, Map<string, Statement>>();

/**
 * The statement for `text` on a better-sqlite3 connection, prepared once and kept (at most MAX_STATEMENTS per
 * connection, oldest out first): preparing is most of the cost of a small statement.
 */
export function preparedStatement(connection: Database, text: string): Statement {
  let statements = caches.get(connection);
  if (!statements) caches.set(connection, (statements = new Map()));
  let statement = statements.get(text);
  if (!statement) {
    statement = connection.prepare(text);
    // Oldest first out: a Map keeps insertion order.
    if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
    statements.set(text, statement);
  }
  return statement;
}

/**
 * A read on the send path. On SQLite the statement is prepared once per text and kept: TypeORM prepares it on every
 * call, which cost more than running it. Elsewhere the driver's own query (the server caches plans there).
 * Parameters must already be in the dialect's form (SqlBuilder's).
 */
export async function cachedQuery<T>(
  dataSource: DataSource,
  text: string,
  parameters: unknown[],
): Promise<T[]> {
  if (dataSource.options.type !== 'better-sqlite3') return dataSource.query(text, parameters);
  return preparedStatement(sqliteConnectionOf(dataSource), text).all(...parameters) as T[];
}
