import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * Columns left out of the fingerprint, each for a reason that has nothing to do with the request's outcome:
 * - push_api_client.timestamp_last_used: written off the request's path, at most once a minute per client, for every
 *   request that authenticated, whatever it then answers (it says when a key was last used, not what it did).
 */
const EXCLUDED_COLUMNS: Record<string, readonly string[]> = {
  push_api_client: ['timestamp_last_used'],
};

export interface TableSnapshot {
  count: number;
  hash: string;
  /** Canonical rows, sorted: kept to say what changed. */
  rows: string[];
}

export type Fingerprint = Map<string, TableSnapshot>;

/** Every table the app maps: its row count and a hash of all its rows (order-independent). */
export async function takeFingerprint(dataSource: DataSource): Promise<Fingerprint> {
  const tables = [...new Set(dataSource.entityMetadatas.map((metadata) => metadata.tableName))].sort();
  const fingerprint: Fingerprint = new Map();
  for (const table of tables) {
    const metadata = dataSource.entityMetadatas.find((m) => m.tableName === table)!;
    const excluded = EXCLUDED_COLUMNS[table] ?? [];
    const columns = metadata.columns
      .map((column) => column.databaseName)
      .filter((c) => !excluded.includes(c));
    const escape = (name: string) => dataSource.driver.escape(name);
    const result: Record<string, unknown>[] = await dataSource.query(
      `SELECT ${columns.map(escape).join(', ')} FROM ${escape(table)}`,
    );
    const rows = result.map((row) => canonicalRow(columns, row)).sort();
    const hash = createHash('sha256');
    for (const row of rows) hash.update(row).update('\n');
    fingerprint.set(table, { count: rows.length, hash: hash.digest('hex'), rows });
  }
  return fingerprint;
}

/** What differs, one line per table (with a few of its added and removed rows); empty when nothing does. */
export function describeChanges(before: Fingerprint, after: Fingerprint, maxRows = 3): string[] {
  const changes: string[] = [];
  for (const [table, then] of before) {
    const now = after.get(table);
    if (!now) {
      changes.push(`${table}: missing`);
      continue;
    }
    if (now.hash === then.hash) continue;
    const previous = new Set(then.rows);
    const current = new Set(now.rows);
    const added = now.rows.filter((row) => !previous.has(row));
    const removed = then.rows.filter((row) => !current.has(row));
    changes.push(
      `${table}: ${then.count} -> ${now.count} rows` +
        added
          .slice(0, maxRows)
          .map((row) => `\n  + ${row.slice(0, 500)}`)
          .join('') +
        removed
          .slice(0, maxRows)
          .map((row) => `\n  - ${row.slice(0, 500)}`)
          .join(''),
    );
  }
  return changes;
}

function canonicalRow(columns: string[], row: Record<string, unknown>): string {
  return JSON.stringify(columns.map((column) => canonicalValue(row[column])));
}

function canonicalValue(value: unknown): unknown {
  if (value instanceof Date) return `date:${value.toISOString()}`;
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  return value ?? null;
}
