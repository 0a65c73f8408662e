import { DataSource } from 'typeorm';
import { sqliteValue } from '../../src/database/sql-builder';
import { ProviderEmulator } from '../../src/emulator/provider-emulator';
import { portableSql } from './test-app';

/** A device row written straight to push_device_registration: thousands of them in a few statements. */
export interface RawDevice {
  appCredentialsId: number;
  userId: string;
  platform: string;
  token: string;
  activationId?: string;
  active?: boolean | null;
  environment?: string | null;
}

type Sql = <T = Record<string, unknown>>(query: string, parameters?: unknown[]) => Promise<T[]>;

/** Raw SQL with `?` placeholders on any dialect (as TestApp.sql), over a plain connection. */
export function sqlOver(dataSource: DataSource): Sql {
  return (query, parameters) => dataSource.query(portableSql(dataSource, query), parameters);
}

function value(dataSource: DataSource, v: unknown): unknown {
  return dataSource.options.type === 'better-sqlite3' ? sqliteValue(v) : v;
}

export async function insertDevices(dataSource: DataSource, devices: RawDevice[]): Promise<void> {
  const sql = sqlOver(dataSource);
  const now = new Date();
  for (let start = 0; start < devices.length; start += 200) {
    const chunk = devices.slice(start, start + 200);
    const parameters = chunk.flatMap((d, i) =>
      [
        d.activationId ?? `act-${start + i}-${d.token.slice(0, 20)}`,
        d.userId,
        d.appCredentialsId,
        d.platform,
        d.token,
        now,
        d.active === undefined ? true : d.active,
        d.environment ?? null,
      ].map((v) => value(dataSource, v)),
    );
    await sql(
      `INSERT INTO push_device_registration (activation_id, user_id, app_id, platform, push_token, ` +
        `timestamp_last_registered, is_active, environment) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      parameters,
    );
  }
}

export async function appCredentialsId(dataSource: DataSource, appId: string): Promise<number> {
  const [row] = await sqlOver(dataSource)<{ id: number | string }>(
    'SELECT id FROM push_app_credentials WHERE app_id = ?',
    [appId],
  );
  return Number(row.id);
}

/** A campaign written as PowerAuth writes it (JSON message, not sent), with its users. */
export async function insertCampaign(
  dataSource: DataSource,
  appCredentials: number,
  message: Record<string, unknown>,
  users: string[],
): Promise<number> {
  const sql = sqlOver(dataSource);
  const now = value(dataSource, new Date());
  const insert =
    'INSERT INTO push_campaign (app_id, message, is_sent, timestamp_created) VALUES (?, ?, ?, ?)';
  const parameters = [appCredentials, JSON.stringify(message), value(dataSource, false), now];
  // Not MAX(id): PostgreSQL sequences cache ids per connection, so a later row may have a lower id.
  const row =
    dataSource.options.type === 'mysql'
      ? { id: ((await sql(insert, parameters)) as unknown as { insertId: number }).insertId }
      : (await sql<{ id: number | string }>(`${insert} RETURNING id`, parameters))[0];
  const id = Number(row.id);
  for (let start = 0; start < users.length; start += 300) {
    const chunk = users.slice(start, start + 300);
    await sql(
      `INSERT INTO push_campaign_user (campaign_id, user_id, timestamp_created) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
      chunk.flatMap((user) => [id, user, now]),
    );
  }
  return id;
}

/** The device tokens each provider answered 200 for, with how many times. */
export function deliveredTokens(emulator: ProviderEmulator): Map<string, number[]> {
  const delivered = new Map<string, number[]>();
  const add = (token: string, at: number) => delivered.set(token, [...(delivered.get(token) ?? []), at]);
  for (const record of emulator.requests('apns')) {
    if (record.outcome === 200)
      add(decodeURIComponent(record.path.replace(/^\/3\/device\//, '')), record.receivedAt);
  }
  for (const record of emulator.requests('fcm')) {
    const token = (record.body as { message?: { token?: string } }).message?.token;
    if (record.outcome === 200 && token) add(token, record.receivedAt);
  }
  for (const record of emulator.requests('hms')) {
    const tokens = (record.body as { message?: { token?: string[] } }).message?.token ?? [];
    if (record.outcome === 200) for (const token of tokens) add(token, record.receivedAt);
  }
  return delivered;
}
