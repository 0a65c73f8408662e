import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

/**
 * A fresh, empty database per test file. SQLite by default; MariaDB/MySQL or PostgreSQL when TEST_DATABASE_URL
 * names a server (for example mysql://root@127.0.0.1:3306/test or postgres://postgres@127.0.0.1:5432/postgres).
 */
export interface TestDatabase {
  dialect: 'sqlite' | 'mysql' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

export function testDialect(): TestDatabase['dialect'] {
  const url = process.env.TEST_DATABASE_URL ?? '';
  if (/^(mysql|mariadb):/.test(url)) return 'mysql';
  if (/^postgres(ql)?:/.test(url)) return 'postgres';
  return 'sqlite';
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const dialect = testDialect();
  const name = `push_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite' || !serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'push-test-'));
    return {
      dialect: 'sqlite',
      url: `sqlite:${join(dir, 'push.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = new URL(serverUrl);
  const adminUrl = url.toString();
  url.pathname = `/${name}`;
  if (dialect === 'mysql') {
    await withMysql(adminUrl, (db) =>
      db.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`),
    );
    return {
      dialect,
      url: url.toString(),
      drop: () => withMysql(adminUrl, (db) => db.query(`DROP DATABASE IF EXISTS \`${name}\``)),
    };
  }
  await withPostgres(adminUrl, (db) => db.query(`CREATE DATABASE "${name}"`));
  return {
    dialect,
    url: url.toString(),
    drop: () => withPostgres(adminUrl, (db) => db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function withMysql(
  url: string,
  work: (db: Awaited<ReturnType<typeof createConnection>>) => Promise<unknown>,
) {
  const db = await createConnection(url.replace(/^mariadb:/, 'mysql:'));
  try {
    await work(db);
  } finally {
    await db.end();
  }
}

async function withPostgres(url: string, work: (db: Client) => Promise<unknown>) {
  const db = new Client({ connectionString: url.replace(/^postgresql:/, 'postgres:') });
  await db.connect();
  try {
    await work(db);
  } finally {
    await db.end();
  }
}
