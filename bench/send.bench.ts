/**
 * npm run bench:send — end-to-end sending on this machine: the server as its own process, its database (SQLite, or
 * MariaDB/MySQL/PostgreSQL when BENCH_DATABASE_URL names a server), the provider emulators in a third process, and
 * the callers in this one.
 *
 * 1. 10,000 devices (APNs, FCM and HMS in turn, 1% dead tokens) of 5,000 users, sent through /push/message/batch/send
 *    (20 users per request, ASYNCHRONOUS): device sends per second until every push_message row is final. A warm-up
 *    round to 10,000 other devices goes first, not measured, as the latency phase has its own.
 * 2. SYNCHRONOUS /push/message/send to one device, 50 concurrent callers each sending again as soon as answered:
 *    p50 and p99 latency over 10,000 sends, after 5,000 unmeasured ones, all with 50 in flight.
 * 3. Peak RSS of the server process.
 */
import { DataSource } from 'typeorm';
import { sqliteValue } from '../src/database/sql-builder';
import { TEST_AUTHORIZATION } from '../test/support/credentials';
import { configureAppOver } from '../test/support/delivery-fixture';
import { ServerProcess } from '../test/support/server-process';
import { createTestDatabase } from '../test/support/test-database';
import {
  cpuSeconds,
  machineCpuTicks,
  openDatabase,
  peakRssMb,
  percentile,
  pool,
  printTable,
  stolenPercent,
} from './bench-support';
import { startEmulatorProcess } from './emulator-process';
import { HttpCaller } from './http-caller';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 10000);
const DEVICES_PER_USER = 2;
const WARMUP_DEVICES = Number(process.env.BENCH_WARMUP_DEVICES ?? 10000);
const USERS_PER_BATCH = 20;
const BATCH_CONCURRENCY = Number(process.env.BENCH_BATCH_CONCURRENCY ?? 4);
const LATENCY_CALLERS = 50;
const LATENCY_REQUESTS = Number(process.env.BENCH_LATENCY_REQUESTS ?? 10000);
const LATENCY_WARMUP_REQUESTS = Number(process.env.BENCH_LATENCY_WARMUP_REQUESTS ?? 5000);
const PLATFORMS = ['apns', 'fcm', 'hms'] as const;

function token(platform: (typeof PLATFORMS)[number], index: number, dead: boolean): string {
  if (platform === 'apns')
    return `${dead ? 'dead' : 'a0a0'}${index.toString(16).padStart(12, '0')}`.padEnd(64, '0');
  return `${dead ? 'dead' : 'live'}-${platform}-${index}`;
}

async function insertDevices(db: DataSource, appId: number, rows: Array<[string, string, string, string]>) {
  const pg = db.options.type === 'postgres';
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    let n = 0;
    const ph = () => (pg ? `$${++n}` : '?');
    const values = chunk
      .map(() => `(${ph()}, ${ph()}, ${ph()}, ${ph()}, ${ph()}, ${ph()}, ${ph()})`)
      .join(', ');
    const parameters = chunk.flatMap(([userId, activationId, platform, pushToken]) => [
      activationId,
      userId,
      appId,
      platform,
      pushToken,
      db.options.type === 'better-sqlite3' ? sqliteValue(new Date()) : new Date(),
      pg ? true : 1,
    ]);
    await db.query(
      `INSERT INTO push_device_registration (activation_id, user_id, app_id, platform, push_token, ` +
        `timestamp_last_registered, is_active) VALUES ${values}`,
      parameters,
    );
  }
}

async function main(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (serverUrl) process.env.TEST_DATABASE_URL = serverUrl;
  else delete process.env.TEST_DATABASE_URL;
  const database = await createTestDatabase();
  const emulator = await startEmulatorProcess([
    ['apns', 'dead', { kind: 'unregistered' }],
    ['fcm', 'dead', { kind: 'unregistered' }],
    ['hms', 'dead', { kind: 'bad-token' }],
  ]);
  const { credentials } = emulator;

  const server = await ServerProcess.start(
    { ...emulator.env, DATABASE_URL: database.url, LOG_LEVEL: 'error' },
    { built: true },
  );
  const db = await openDatabase(database.url);
  const callers: HttpCaller[] = [];
  try {
    await configureAppOver(server.url, 'mobile-app', credentials);
    const [{ id: appId }] = await db.query(`SELECT id FROM push_app_credentials WHERE app_id = 'mobile-app'`);

    // 1. Throughput through batch/send, after a warm-up round on other users (the JIT and the provider connections
    // warm up as they would in a server that has been running).
    const users = DEVICES / DEVICES_PER_USER;
    const devices: Array<[string, string, string, string]> = [];
    const addUsers = (prefix: string, count: number, firstToken: number) => {
      for (let i = 0; i < count; i++) {
        const platform = PLATFORMS[i % 3];
        const userId = `${prefix}-${i % (count / DEVICES_PER_USER)}`;
        devices.push([
          userId,
          `${prefix}-act-${i}`,
          platform,
          token(platform, firstToken + i, i % 100 === 0),
        ]);
      }
    };
    addUsers('user', DEVICES, 0);
    addUsers('warm', WARMUP_DEVICES, 1_000_000);
    const latencyUsers = Array.from({ length: LATENCY_CALLERS }, (_, i) => `latency-${i}`);
    latencyUsers.forEach((userId, i) => {
      const platform = PLATFORMS[i % 3];
      devices.push([userId, `latency-act-${i}`, platform, token(platform, DEVICES + i, false)]);
    });
    await insertDevices(db, Number(appId), devices);

    const caller = () => HttpCaller.forUrl(server.url, { Authorization: TEST_AUTHORIZATION });
    const batchCallers = Array.from({ length: BATCH_CONCURRENCY }, caller);
    const latencyCallers = Array.from({ length: LATENCY_CALLERS }, caller);
    callers.push(...batchCallers, ...latencyCallers);
    const sendToUsers = async (prefix: string, userCount: number, firstRowId: number, rows: number) => {
      const batches: string[][] = [];
      for (let u = 0; u < userCount; u += USERS_PER_BATCH) {
        batches.push(
          Array.from({ length: Math.min(USERS_PER_BATCH, userCount - u) }, (_, k) => `${prefix}-${u + k}`),
        );
      }
      await pool(batches, BATCH_CONCURRENCY, async (userIds, worker) => {
        const { status } = await batchCallers[worker].post('/push/message/batch/send', {
          requestObject: {
            appId: 'mobile-app',
            mode: 'ASYNCHRONOUS',
            batch: userIds.map((userId) => ({
              userId,
              body: { title: 'Balance update', body: 'Your balance is now $745.00' },
            })),
          },
        });
        if (status !== 200) throw new Error(`batch/send answered ${status}`);
      });
      const accepted = performance.now();
      for (;;) {
        const [{ pending, total }] = await db.query(
          'SELECT SUM(CASE WHEN status = 0 THEN 1 ELSE 0 END) AS pending, COUNT(*) AS total FROM push_message ' +
            `WHERE id > ${firstRowId}`,
        );
        if (Number(total) === rows && Number(pending) === 0) return accepted;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const lastRowId = async () =>
      Number((await db.query('SELECT MAX(id) AS id FROM push_message'))[0].id ?? 0);

    await sendToUsers('warm', WARMUP_DEVICES / DEVICES_PER_USER, 0, WARMUP_DEVICES);
    const firstRowId = await lastRowId();
    const started = performance.now();
    const cpuBefore = cpuNow(server.pid!, emulator.pid);
    const machineBefore = machineCpuTicks();
    const accepted = await sendToUsers('user', users, firstRowId, DEVICES);
    const finished = performance.now();
    const sendCpu = cpuSpent(cpuBefore, cpuNow(server.pid!, emulator.pid));
    const sendStolen = stolenPercent(machineBefore);
    const [{ sent, failed }] = await db.query(
      'SELECT SUM(CASE WHEN status = 1 THEN 1 ELSE 0 END) AS sent, SUM(CASE WHEN status = -1 THEN 1 ELSE 0 END) AS failed ' +
        `FROM push_message WHERE id > ${firstRowId}`,
    );
    const [{ remaining }] = await db.query(
      `SELECT COUNT(*) AS remaining FROM push_device_registration WHERE push_token LIKE 'dead%'`,
    );
    const throughput = DEVICES / ((finished - started) / 1000);

    // 2. SYNCHRONOUS single-send latency at 50 concurrent callers. The callers never pause: the first sends warm the
    // path up (JIT, pools), the next LATENCY_REQUESTS are measured, and the callers go on until the last measured one
    // is answered, so every measured send runs with 50 in flight (no start or end where the callers wait for each
    // other and then arrive in one burst).
    const latencies: number[] = [];
    const measuredUntil = LATENCY_WARMUP_REQUESTS + LATENCY_REQUESTS;
    let issued = 0;
    let latencyStarted = 0;
    let latencyCpuBefore: CpuSeconds | undefined;
    let latencyMachineBefore = machineCpuTicks();
    // Taken when the last measured send is answered, before the cool-down sends finish.
    let latencyEnded: { at: number; cpu: CpuSeconds; stolen: number } | undefined;
    await Promise.all(
      latencyUsers.map(async (userId, index) => {
        while (latencies.length < LATENCY_REQUESTS) {
          const sequence = issued++;
          const measured = sequence >= LATENCY_WARMUP_REQUESTS && sequence < measuredUntil;
          if (sequence === LATENCY_WARMUP_REQUESTS) {
            latencyCpuBefore = cpuNow(server.pid!, emulator.pid);
            latencyMachineBefore = machineCpuTicks();
            latencyStarted = performance.now();
          }
          const t0 = performance.now();
          const { status, json } = await latencyCallers[index].post('/push/message/send', {
            requestObject: { appId: 'mobile-app', message: { userId, body: { title: 'Approve login?' } } },
          });
          if (status !== 200 || json.status !== 'OK') throw new Error(`send answered ${status}`);
          if (!measured) continue;
          latencies.push(performance.now() - t0);
          if (latencies.length === LATENCY_REQUESTS) {
            latencyEnded = {
              at: performance.now(),
              cpu: cpuSpent(latencyCpuBefore!, cpuNow(server.pid!, emulator.pid)),
              stolen: stolenPercent(latencyMachineBefore),
            };
          }
        }
      }),
    );
    const latencyRate = latencies.length / ((latencyEnded!.at - latencyStarted) / 1000);
    const { cpu: latencyCpu, stolen: latencyStolen } = latencyEnded!;
    latencies.sort((a, b) => a - b);
    const rss = peakRssMb(server.pid!);

    printTable(`Send benchmark (${database.dialect}, ${DEVICES} devices, ${new Date().toISOString()})`, [
      ['batch/send: device sends per second, end to end', throughput.toFixed(0), '>= 5000 (aim 10000)'],
      ['batch/send: all requests accepted after (ms)', (accepted - started).toFixed(0), ''],
      ['batch/send: every row final after (ms)', (finished - started).toFixed(0), ''],
      [
        'rows SENT / FAILED (1% dead tokens)',
        `${sent} / ${failed}`,
        `${DEVICES - DEVICES / 100} / ${DEVICES / 100}`,
      ],
      ['dead-token devices left registered', String(remaining), '0'],
      [
        `single SYNCHRONOUS send p50 (ms), ${LATENCY_CALLERS} callers`,
        percentile(latencies, 50).toFixed(1),
        '',
      ],
      [
        `single SYNCHRONOUS send p99 (ms), ${LATENCY_CALLERS} callers`,
        percentile(latencies, 99).toFixed(1),
        '< 50',
      ],
      ['single sends measured', String(latencies.length), ''],
      ['single sends per second (closed loop)', latencyRate.toFixed(0), ''],
      ['CPU ms per device send, server / emulators / callers', perUnit(sendCpu, DEVICES), ''],
      ['CPU ms per single send, server / emulators / callers', perUnit(latencyCpu, latencies.length), ''],
      ['server peak RSS (MB)', String(rss), '< 300'],
      // A virtual machine's neighbours take CPU time from it: runs with much stolen time are not comparable.
      [
        'CPU time stolen by the host, batch / single phase (%)',
        `${sendStolen.toFixed(0)} / ${latencyStolen.toFixed(0)}`,
        '',
      ],
    ]);
  } finally {
    server.kill('SIGTERM');
    await server.exited;
    for (const each of callers) each.close();
    await db.destroy();
    await emulator.stop();
    await database.drop();
  }
}

interface CpuSeconds {
  server: number;
  emulators: number;
  callers: number;
}

/** CPU seconds used so far by the server, the emulators' process and this one (the callers). */
function cpuNow(serverPid: number, emulatorPid: number): CpuSeconds {
  const own = process.cpuUsage();
  return {
    server: cpuSeconds(serverPid),
    emulators: cpuSeconds(emulatorPid),
    callers: (own.user + own.system) / 1e6,
  };
}

function cpuSpent(before: CpuSeconds, after: CpuSeconds): CpuSeconds {
  return {
    server: after.server - before.server,
    emulators: after.emulators - before.emulators,
    callers: after.callers - before.callers,
  };
}

function perUnit(cpu: CpuSeconds, count: number): string {
  return [cpu.server, cpu.emulators, cpu.callers]
    .map((seconds) => ((seconds * 1000) / count).toFixed(3))
    .join(' / ');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
