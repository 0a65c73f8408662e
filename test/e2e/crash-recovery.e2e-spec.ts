import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/common/config/app-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { DemoCredentials, ProviderEmulator } from '../../src/emulator/provider-emulator';
import { base64 } from '../support/credentials';
import { emulatorEnv, eventually } from '../support/delivery-fixture';
import { ServerProcess } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const CONCURRENCY = 8;
const DEVICES = 300;

/**
 * The server as a real process, killed (SIGKILL) or stopped (SIGTERM) in the middle of an ASYNCHRONOUS send to many
 * devices, then started again: every device gets the message, and only those in flight at a kill get it twice.
 */
describe('sends survive a crash and a stop', () => {
  let emulator: ProviderEmulator;
  let credentials: DemoCredentials;
  let database: TestDatabase;
  let db: DataSource;
  let env: Record<string, string>;
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
      SEND_RECOVERY_INTERVAL_MS: '500',
      LOG_LEVEL: 'log',
    };
    const first = await start('node-a');
    await configure(first);
    await first.kill('SIGTERM');
    await first.exited;
    const options = buildDataSourceOptions(loadConfig({ DATABASE_URL: database.url }).database);
    db = await new DataSource({ ...options, entities: [], migrations: [] } as typeof options).initialize();
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

  async function configure(server: ServerProcess): Promise<void> {
    const http = () => server.http();
    await http()
      .post('/admin/app/create')
      .send({ requestObject: { appId: 'mobile-app' } })
      .expect(200);
    const { fcm } = credentials;
    await http()
      .put('/admin/app/fcm')
      .send({
        requestObject: {
          appId: 'mobile-app',
          projectId: fcm.projectId,
          privateKeyBase64: base64(fcm.serviceAccountJson),
        },
      })
      .expect(200);
    for (const user of ['crash-user', 'stop-user']) {
      for (let i = 0; i < DEVICES; i++) {
        await http()
          .post('/push/device/create')
          .send({
            requestObject: {
              appId: 'mobile-app',
              platform: 'fcm',
              token: `${user}-${i}`,
              activationId: `${user}-act-${i}`,
              userId: user,
              activationStatus: 'ACTIVE',
            },
          })
          .expect(200);
      }
    }
  }

  async function statuses(userId: string): Promise<Map<number, number>> {
    const placeholder = db.options.type === 'postgres' ? '$1' : '?';
    const rows: Array<{ status: number | string }> = await db.query(
      `SELECT status FROM push_message WHERE user_id = ${placeholder}`,
      [userId],
    );
    const counts = new Map<number, number>();
    for (const row of rows) counts.set(Number(row.status), (counts.get(Number(row.status)) ?? 0) + 1);
    return counts;
  }

  function received(userId: string) {
    const byToken = new Map<string, number[]>();
    for (const record of emulator.requests('fcm')) {
      const token = (record.body as { message?: { token?: string } }).message?.token ?? '';
      if (!token.startsWith(`${userId}-`) || record.outcome !== 200) continue;
      byToken.set(token, [...(byToken.get(token) ?? []), record.receivedAt]);
    }
    return byToken;
  }

  async function sendToEveryone(server: ServerProcess, userId: string): Promise<void> {
    const response = await server
      .http()
      .post('/push/message/send')
      .send({
        requestObject: {
          appId: 'mobile-app',
          mode: 'ASYNCHRONOUS',
          message: { userId, body: { title: 'Hi' } },
        },
      })
      .expect(200);
    expect(response.body).toEqual({ status: 'OK', responseObject: { mode: 'ASYNCHRONOUS' } });
  }

  it('SIGKILL mid-send: after a restart every device gets it, twice only if in flight at the kill', async () => {
    emulator.setBehaviour('fcm', 'crash-user-', { kind: 'slow', delayMs: 30 });
    const server = await start('node-b');
    await sendToEveryone(server, 'crash-user');
    await eventually(() => expect(received('crash-user').size).toBeGreaterThanOrEqual(DEVICES / 4));
    server.kill('SIGKILL');
    const killedAt = Date.now();
    await server.exited;
    const beforeRestart = received('crash-user').size;
    expect(beforeRestart).toBeLessThan(DEVICES);

    const restarted = await start('node-b');
    await eventually(
      async () => expect(await statuses('crash-user')).toEqual(new Map([[1, DEVICES]])),
      60000,
    ).catch(async (error) => {
      const sample = await db.query(
        `SELECT id, status, lease_owner, next_attempt_at, content_id FROM push_message WHERE user_id = 'crash-user' AND status = 0 LIMIT 3`,
      );
      throw new Error(`${(error as Error).message}\n${JSON.stringify(sample)}\n${restarted.log}`);
    });

    const deliveries = received('crash-user');
    expect(deliveries.size).toBe(DEVICES);
    const twice = [...deliveries.entries()].filter(([, times]) => times.length > 1);
    // Only requests the provider had received (or was answering) when the process died are repeated.
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY * 2);
    for (const [, times] of twice) expect(Math.min(...times)).toBeGreaterThan(killedAt - 2000);
    expect([...deliveries.values()].every((times) => times.length <= 2)).toBe(true);
    // Stopped, so that its recovery cannot take the next test's rows.
    restarted.kill('SIGTERM');
    await restarted.exited;
  }, 120000);

  it('SIGTERM mid-send: stops, hands back what it had not sent, and another node finishes without duplicates', async () => {
    emulator.setBehaviour('fcm', 'stop-user-', { kind: 'slow', delayMs: 30 });
    const server = await start('node-c');
    await sendToEveryone(server, 'stop-user');
    await eventually(() => expect(received('stop-user').size).toBeGreaterThanOrEqual(DEVICES / 4));
    server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const afterStop = await statuses('stop-user');
    expect((afterStop.get(1) ?? 0) + (afterStop.get(0) ?? 0)).toBe(DEVICES);
    expect(afterStop.get(0)).toBeGreaterThan(0);
    const leased = await db.query(
      `SELECT COUNT(*) AS n FROM push_message WHERE user_id = 'stop-user' AND status = 0 AND lease_owner IS NOT NULL`,
    );
    expect(Number(leased[0].n)).toBe(0);

    // A different node: it may take the handed-back rows at once, without waiting for a lease to expire.
    await start('node-d');
    await eventually(async () => expect(await statuses('stop-user')).toEqual(new Map([[1, DEVICES]])), 60000);
    const deliveries = received('stop-user');
    expect(deliveries.size).toBe(DEVICES);
    expect([...deliveries.values()].filter((times) => times.length > 1)).toEqual([]);
  }, 120000);
});
