import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/common/config/app-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { DemoCredentials, ProviderEmulator } from '../../src/emulator/provider-emulator';
import {
  appCredentialsId,
  deliveredTokens,
  insertCampaign,
  insertDevices,
} from '../support/campaign-fixture';
import { configureAppOver, emulatorEnv, eventually } from '../support/delivery-fixture';
import { ServerProcess } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const CONCURRENCY = 8;
const USERS = 1500;

/**
 * The server as a real process, killed (SIGKILL) or stopped (SIGTERM) in the middle of a live campaign of a few
 * thousand devices, then started again: the campaign completes, every device gets it, and only those in flight at a
 * kill get it twice.
 */
describe('live campaigns survive a crash and a stop', () => {
  let emulator: ProviderEmulator;
  let credentials: DemoCredentials;
  let database: TestDatabase;
  let db: DataSource;
  let env: Record<string, string>;
  let app: number;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    emulator = new ProviderEmulator();
    await emulator.start();
    credentials = await emulator.generateDemoCredentials();
    database = await createTestDatabase();
    env = {
      ...emulatorEnv(emulator),
      DATABASE_URL: database.url,
      SEND_CONCURRENCY_FCM: String(CONCURRENCY),
      SEND_CONCURRENCY_HMS: String(CONCURRENCY),
      SEND_RECOVERY_INTERVAL_MS: '500',
      // Paced, so that the kill finds the run half-way through its users, not only its deliveries.
      CAMPAIGN_RATE_LIMIT: '600',
      LOG_LEVEL: 'log',
    };
    const first = await start('node-a');
    await configureAppOver(first.url, 'mobile-app', credentials);
    first.kill('SIGTERM');
    await first.exited;
    const options = buildDataSourceOptions(loadConfig({ DATABASE_URL: database.url }).database);
    db = await new DataSource({ ...options, entities: [], migrations: [] } as typeof options).initialize();
    app = await appCredentialsId(db, 'mobile-app');
  }, 120000);

  afterAll(async () => {
    for (const server of servers) server.kill('SIGKILL');
    await db?.destroy();
    await emulator?.stop();
    await database?.drop();
  });

  async function start(nodeId: string): Promise<ServerProcess> {
    const server = await ServerProcess.start({ ...env, NODE_ID: nodeId });
    servers.push(server);
    return server;
  }

  /** A campaign of USERS users, each with an FCM device and every other one with an HMS device too. */
  async function campaignFor(prefix: string): Promise<{ id: number; tokens: string[] }> {
    const users = Array.from({ length: USERS }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
    const devices = users.flatMap((userId, i) => [
      { appCredentialsId: app, userId, platform: 'fcm', token: `${prefix}fcm-${i}` },
      ...(i % 2 === 0
        ? [{ appCredentialsId: app, userId, platform: 'hms', token: `${prefix}hms-${i}` }]
        : []),
    ]);
    await insertDevices(db, devices);
    const id = await insertCampaign(db, app, { title: 'Offer', body: 'For you' }, users);
    return { id, tokens: devices.map((device) => device.token) };
  }

  function received(prefix: string) {
    return new Map([...deliveredTokens(emulator)].filter(([token]) => token.startsWith(prefix)));
  }

  async function progress(server: ServerProcess, id: number) {
    return (await server.http().get(`/push/campaign/${id}/progress`).expect(200)).body.responseObject;
  }

  async function recorded(id: number): Promise<number> {
    const placeholder = db.options.type === 'postgres' ? '$1' : '?';
    const [row] = await db.query(
      `SELECT COUNT(*) AS n FROM push_message WHERE campaign_id = ${placeholder}`,
      [id],
    );
    return Number(row.n);
  }

  async function cursorOf(id: number): Promise<string | null> {
    const placeholder = db.options.type === 'postgres' ? '$1' : '?';
    const [run] = await db.query(
      `SELECT cursor_user_id FROM push_campaign_run WHERE campaign_id = ${placeholder}`,
      [id],
    );
    return run?.cursor_user_id ?? null;
  }

  it('SIGKILL mid-campaign: after a restart it completes, and only devices in flight at the kill get it twice', async () => {
    const { id, tokens } = await campaignFor('kill-');
    emulator.setBehaviour('fcm', 'kill-', { kind: 'slow', delayMs: 5 });
    const server = await start('node-b');
    await server.http().post(`/push/campaign/send/live/${id}`).send().expect(200);
    // Killed with about a quarter of the devices recorded and some of them reached.
    await eventually(async () => {
      expect(await recorded(id)).toBeGreaterThanOrEqual(tokens.length / 4);
      expect(received('kill-').size).toBeGreaterThan(0);
    }, 30000);
    server.kill('SIGKILL');
    const killedAt = Date.now();
    await server.exited;
    const cursorAtKill = await cursorOf(id);
    expect(cursorAtKill).not.toBeNull();
    expect(cursorAtKill! < `kill-${String(USERS - 1).padStart(5, '0')}`).toBe(true);
    expect(received('kill-').size).toBeLessThan(tokens.length);

    const restarted = await start('node-b');
    await eventually(
      async () => expect((await progress(restarted, id)).state).toBe('COMPLETED'),
      60000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${restarted.log}`);
    });
    expect(await progress(restarted, id)).toMatchObject({
      total: tokens.length,
      sent: tokens.length,
      failed: 0,
      pending: 0,
    });
    const deliveries = received('kill-');
    expect(deliveries.size).toBe(tokens.length);
    const twice = [...deliveries.entries()].filter(([, times]) => times.length > 1);
    // Only requests the providers had received (or were answering) when the process died are repeated.
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY * 4);
    for (const [, times] of twice) expect(Math.min(...times)).toBeGreaterThan(killedAt - 2000);
    expect([...deliveries.values()].every((times) => times.length <= 2)).toBe(true);
    restarted.kill('SIGTERM');
    await restarted.exited;
  }, 120000);

  it('SIGTERM mid-campaign: hands the run back, and another node finishes it with no device twice', async () => {
    const { id, tokens } = await campaignFor('stop-');
    emulator.setBehaviour('fcm', 'stop-', { kind: 'slow', delayMs: 5 });
    const server = await start('node-c');
    await server.http().post(`/push/campaign/send/live/${id}`).send().expect(200);
    await eventually(() => expect(received('stop-').size).toBeGreaterThanOrEqual(tokens.length / 4), 30000);
    server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const placeholder = db.options.type === 'postgres' ? '$1' : '?';
    const [run] = await db.query(
      `SELECT state, lease_owner FROM push_campaign_run WHERE campaign_id = ${placeholder}`,
      [id],
    );
    expect(run).toEqual({ state: 'SENDING', lease_owner: null });

    const other = await start('node-d');
    await eventually(async () => expect((await progress(other, id)).state).toBe('COMPLETED'), 60000);
    const deliveries = received('stop-');
    expect(deliveries.size).toBe(tokens.length);
    expect([...deliveries.values()].filter((times) => times.length > 1)).toEqual([]);
    expect(await progress(other, id)).toMatchObject({
      total: tokens.length,
      sent: tokens.length,
      pending: 0,
    });
  }, 120000);
});
