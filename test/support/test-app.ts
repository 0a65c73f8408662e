import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/common/config/app-config';
import { TEST_API_KEY, TEST_AUTHORIZATION } from './credentials';
import { createTestDatabase, TestDatabase } from './test-database';

export { TEST_API_KEY, TEST_AUTHORIZATION };

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  /** supertest against the running app as the bootstrap admin client (every scope), or unauthenticated under
   * AUTH_MODE=none. */
  http: () => ReturnType<typeof request>;
  /** supertest without credentials. */
  anonymous: () => ReturnType<typeof request>;
  /** Raw SQL against the app's database, for asserting rows. */
  sql<T = Record<string, unknown>>(query: string, parameters?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (e.g. one prepared with PowerAuth's own tables) instead of creating an empty one. */
  database?: TestDatabase;
}

/**
 * The real Nest application on a fresh database of the dialect under test, in the default AUTH_MODE=api-key. Rate
 * limits are off unless a test sets RATE_LIMIT_ENABLED, so suites that fire many requests are not throttled.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'error',
    BOOTSTRAP_API_KEY: TEST_API_KEY,
    RATE_LIMIT_ENABLED: 'false',
    ...options.env,
  });
  const app = await createApp(config);
  await app.init();
  // Fastify answers on its server only once its plugins (CORS, the UI's assets) are loaded.
  await app.getHttpAdapter().getInstance().ready();
  const dataSource = app.get(DataSource);
  const server = app.getHttpServer();
  return {
    app,
    config,
    dataSource,
    database,
    http: () =>
      request.agent(server).set('Authorization', TEST_AUTHORIZATION) as unknown as ReturnType<typeof request>,
    anonymous: () => request(server),
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
