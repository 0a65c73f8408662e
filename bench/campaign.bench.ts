/**
 * npm run bench:campaign — a live campaign end to end on this machine: the server as its own process (from dist/),
 * its database (SQLite, or MariaDB/MySQL/PostgreSQL when BENCH_DATABASE_URL names a server), the provider emulators
 * in this process.
 *
 * Run 1: 100,000 users with one to three devices each (about 200,000 devices; APNs, FCM and HMS in turn, 1% dead
 *        tokens): total time from send/live to COMPLETED, devices per second, peak RSS of the server.
 * Run 2: 1,000,000 devices (500,000 users), on a fresh server process: its peak RSS against run 1's shows whether
 *        memory grows with the campaign's size. BENCH_CAMPAIGN_LARGE=0 skips it; BENCH_CAMPAIGN_USERS and
 *        BENCH_CAMPAIGN_LARGE_DEVICES change the sizes.
 */
import { DataSource } from 'typeorm';
import { ProviderEmulator } from '../src/emulator/provider-emulator';
import { insertCampaign, insertDevices, RawDevice } from '../test/support/campaign-fixture';
import { TEST_AUTHORIZATION } from '../test/support/credentials';
import { configureAppOver, emulatorEnv } from '../test/support/delivery-fixture';
import { ServerProcess } from '../test/support/server-process';
import { createTestDatabase, TestDatabase } from '../test/support/test-database';
import { cpuSeconds, openDatabase, peakRssMb, printTable } from './bench-support';

const USERS = Number(process.env.BENCH_CAMPAIGN_USERS ?? 100000);
const LARGE_DEVICES = Number(process.env.BENCH_CAMPAIGN_LARGE_DEVICES ?? 1000000);
const RUN_LARGE = process.env.BENCH_CAMPAIGN_LARGE !== '0';
const PLATFORMS = ['apns', 'fcm', 'hms'] as const;

interface RunResult {
  users: number;
  devices: number;
  setupMs: number;
  sendMs: number;
  sent: number;
  failed: number;
  peakRssMb: number;
  /** Largest V8 heap (total and used) and external memory seen while sending, MB. */
  memory: { heapTotal: number; heapUsed: number; external: number };
  /** Cores used while sending: the server, and this process (the emulators). */
  cpu: { server: number; bench: number };
}

function token(platform: (typeof PLATFORMS)[number], index: number, dead: boolean): string {
  if (platform === 'apns')
    return `${dead ? 'dead' : 'a0a0'}${index.toString(16).padStart(12, '0')}`.padEnd(64, '0');
  return `${dead ? 'dead' : 'live'}-${platform}-${index}`;
}

/** The campaign and its users, and one to three devices per user (two on average) until `devicesWanted`. */
async function prepareCampaign(
  db: DataSource,
  appId: number,
  users: number,
  devicesWanted: number,
): Promise<{ campaignId: number; devices: number }> {
  const userIds = Array.from({ length: users }, (_, i) => `user-${String(i).padStart(7, '0')}`);
  const campaignId = await insertCampaign(
    db,
    appId,
    { title: 'Summer offer', body: 'Half price on all transfers this week' },
    userIds,
  );
  let devices = 0;
  let batch: RawDevice[] = [];
  for (let u = 0; u < users && devices < devicesWanted; u++) {
    const count = Math.min(1 + (u % 3), devicesWanted - devices);
    for (let k = 0; k < count; k++, devices++) {
      const platform = PLATFORMS[devices % 3];
      const dead = devices % 100 === 0;
      batch.push({
        appCredentialsId: appId,
        userId: userIds[u],
        platform,
        token: token(platform, devices, dead),
      });
    }
    // Written as generated: a million device objects at once would weigh on this process's memory.
    if (batch.length >= 10000) {
      await insertDevices(db, batch);
      batch = [];
    }
  }
  await insertDevices(db, batch);
  return { campaignId, devices };
}

async function run(
  database: TestDatabase,
  emulator: ProviderEmulator,
  users: number,
  devicesWanted: number,
): Promise<RunResult> {
  const server = await ServerProcess.start(
    { ...emulatorEnv(emulator), DATABASE_URL: database.url, LOG_LEVEL: 'error' },
    { built: true },
  );
  const db = await openDatabase(database.url);
  try {
    await configureAppOver(server.url, 'mobile-app', await credentialsOf(emulator));
    const [{ id }] = await db.query(`SELECT id FROM push_app_credentials WHERE app_id = 'mobile-app'`);
    const appId = Number(id);
    const setupStarted = performance.now();
    const { campaignId, devices } = await prepareCampaign(db, appId, users, devicesWanted);
    const setupMs = performance.now() - setupStarted;

    // A keep-alive socket idle through the setup may be closed by the server as it is reused: warm one up first.
    await getWithRetry(`${server.url}/health/ready`);
    const started = performance.now();
    const cpuAtStart = { server: cpuSeconds(server.pid!), bench: cpuSeconds(process.pid) };
    const response = await fetch(`${server.url}/push/campaign/send/live/${campaignId}`, {
      method: 'POST',
      headers: server.authHeaders,
    });
    if (response.status !== 200)
      throw new Error(`send/live answered ${response.status}: ${await response.text()}`);
    let progress: { state: string; sent: number; failed: number; total: number };
    const memory = { heapTotal: 0, heapUsed: 0, external: 0 };
    for (;;) {
      const metrics = await (await getWithRetry(`${server.url}/metrics`)).text();
      const gauge = (name: string) =>
        Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1] ?? 0) / 1048576;
      memory.heapTotal = Math.max(memory.heapTotal, gauge('nodejs_heap_size_total_bytes'));
      memory.heapUsed = Math.max(memory.heapUsed, gauge('nodejs_heap_size_used_bytes'));
      memory.external = Math.max(memory.external, gauge('nodejs_external_memory_bytes'));
      const answer = await getWithRetry(`${server.url}/push/campaign/${campaignId}/progress`);
      progress = ((await answer.json()) as { responseObject: typeof progress }).responseObject;
      if (progress.state === 'COMPLETED' || progress.state === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const sendMs = performance.now() - started;
    const cpu = {
      server: (cpuSeconds(server.pid!) - cpuAtStart.server) / (sendMs / 1000),
      bench: (cpuSeconds(process.pid) - cpuAtStart.bench) / (sendMs / 1000),
    };
    if (progress.state !== 'COMPLETED') throw new Error(`campaign ended ${progress.state}`);
    return {
      users,
      devices,
      setupMs,
      sendMs,
      sent: progress.sent,
      failed: progress.failed,
      peakRssMb: peakRssMb(server.pid!),
      memory,
      cpu,
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\nserver output:\n${server.log}`);
  } finally {
    server.kill('SIGTERM');
    await server.exited;
    await db.destroy();
  }
}

/** A GET, retried when a reused keep-alive socket turns out closed. */
async function getWithRetry(url: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { headers: { Authorization: TEST_AUTHORIZATION } });
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

let demoCredentials: Awaited<ReturnType<ProviderEmulator['generateDemoCredentials']>> | undefined;
async function credentialsOf(emulator: ProviderEmulator) {
  demoCredentials ??= await emulator.generateDemoCredentials();
  return demoCredentials;
}

async function main(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (serverUrl) process.env.TEST_DATABASE_URL = serverUrl;
  else delete process.env.TEST_DATABASE_URL;
  const emulator = new ProviderEmulator();
  await emulator.start({ maxRecords: 1000 });
  emulator.setBehaviour('apns', 'dead', { kind: 'unregistered' });
  emulator.setBehaviour('fcm', 'dead', { kind: 'unregistered' });
  emulator.setBehaviour('hms', 'dead', { kind: 'bad-token' });

  const results: RunResult[] = [];
  const databases: TestDatabase[] = [];
  try {
    const small = await createTestDatabase();
    databases.push(small);
    results.push(await run(small, emulator, USERS, USERS * 2));
    if (RUN_LARGE) {
      const large = await createTestDatabase();
      databases.push(large);
      results.push(await run(large, emulator, LARGE_DEVICES / 2, LARGE_DEVICES));
    }
  } finally {
    await emulator.stop();
    for (const database of databases) await database.drop();
  }

  const dialect = databases[0].dialect;
  const rows: Array<[string, string, string]> = [];
  for (const r of results) {
    const label = `${r.users} users, ${r.devices} devices`;
    rows.push(
      [`${label}: send/live to COMPLETED (s)`, (r.sendMs / 1000).toFixed(1), ''],
      [`${label}: devices per second, end to end`, (r.devices / (r.sendMs / 1000)).toFixed(0), '>= 5000'],
      [`${label}: SENT / FAILED (1% dead tokens)`, `${r.sent} / ${r.failed}`, ''],
      [`${label}: server peak RSS (MB)`, String(r.peakRssMb), '< 300'],
      [
        `${label}: largest V8 heap total / used / external (MB)`,
        `${r.memory.heapTotal.toFixed(0)} / ${r.memory.heapUsed.toFixed(0)} / ${r.memory.external.toFixed(0)}`,
        '',
      ],
      [
        `${label}: cores busy, server / emulators`,
        `${r.cpu.server.toFixed(2)} / ${r.cpu.bench.toFixed(2)}`,
        'of 2',
      ],
      [`${label}: setup, rows written directly (s)`, (r.setupMs / 1000).toFixed(1), ''],
    );
  }
  printTable(`Campaign benchmark (${dialect}, ${new Date().toISOString()})`, rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
