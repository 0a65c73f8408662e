import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/common/config/app-config';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  /** supertest against the running app, already prefixed with CONTEXT_PATH. */
  http: () => ReturnType<typeof request>;
  /** Raw SQL against the app's database, for asserting rows. */
  sql<T = Record<string, unknown>>(query: string, parameters?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (e.g. one prepared with PowerAuth's own tables) instead of creating an empty one. */
  database?: TestDatabase;
}

/** The real Nest application on a fresh database of the dialect under test. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'error', ...options.env });
  const app = await createApp(config);
  await app.init();
  const dataSource = app.get(DataSource);
  return {
    app,
    config,
    dataSource,
    database,
    http: () => request(app.getHttpServer()),
    sql: (query, parameters) => dataSource.query(portableSql(dataSource, query), parameters),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** Tests write `?` placeholders; PostgreSQL wants `$1`. */
export function portableSql(dataSource: DataSource, query: string): string {
  if (dataSource.options.type !== 'postgres') return query;
  let index = 0;
  return query.replace(/\?/g, () => `$${++index}`);
}
