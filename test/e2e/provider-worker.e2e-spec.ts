import { PUSH_PROVIDERS, PushProvider } from '../../src/providers/push-provider';
import { WorkerPushProvider } from '../../src/providers/worker/worker-push-provider';
import { base64 } from '../support/credentials';
import {
  DeliveryFixture,
  eventually,
  hexToken,
  registerDevice,
  startDeliveryFixture,
} from '../support/delivery-fixture';

// The adapters in a worker thread (PROVIDER_THREADS=1); test/e2e/message.e2e-spec.ts runs the delivery cases both ways.
describe('provider adapters in a worker thread', () => {
  let f: DeliveryFixture;
  let providers: PushProvider[];

  beforeAll(async () => {
    f = await startDeliveryFixture({ env: { PROVIDER_THREADS: '1', AUTH_CACHE_TTL_MS: '0' } });
    providers = f.t.app.get<symbol, PushProvider[]>(PUSH_PROVIDERS, { strict: false });
  });
  afterAll(() => f.close());
  beforeEach(async () => {
    f.emulator.reset();
    await f.t.sql('DELETE FROM push_message');
  });

  const send = (userId: string, mode = 'SYNCHRONOUS') =>
    f.t
      .http()
      .post('/push/message/send')
      .send({ requestObject: { appId: 'mobile-app', mode, message: { userId, body: { title: 'Hi' } } } });

  const messageRows = () =>
    f.t.sql<{ status: number | string; attempts: number | string; last_error: string | null }>(
      'SELECT status, attempts, last_error FROM push_message ORDER BY id',
    );

  it('hands every platform to the worker stand-ins', () => {
    expect(providers.map((provider) => provider.platform).sort()).toEqual(['apns', 'fcm', 'hms']);
    for (const provider of providers) expect(provider).toBeInstanceOf(WorkerPushProvider);
  });

  it('uses an app credential changed after the first sends', async () => {
    const token = hexToken('c0', 1);
    await registerDevice(f.t, { platform: 'apns', token, activationId: 'act-key', userId: 'user-key' });
    await send('user-key').expect(200);
    const firstKid = apnsKeyId(f.emulator.requests('apns')[0].headers.authorization);
    expect(firstKid).toBe(f.credentials.apns.keyId);

    const fresh = await f.emulator.generateDemoCredentials();
    await f.t
      .http()
      .put('/admin/app/apns')
      .send({
        requestObject: {
          appId: 'mobile-app',
          bundle: fresh.apns.bundle,
          keyId: fresh.apns.keyId,
          teamId: fresh.apns.teamId,
          environment: 'production',
          privateKeyBase64: base64(fresh.apns.privateKeyPem),
        },
      })
      .expect(200);
    await eventually(async () => {
      f.emulator.reset();
      const response = await send('user-key').expect(200);
      expect(response.body.responseObject.apns).toMatchObject({ sent: 1, total: 1 });
      expect(apnsKeyId(f.emulator.requests('apns')[0].headers.authorization)).toBe(fresh.apns.keyId);
    });
  });

  it('retries and delivers the sends that were in flight in a worker that died', async () => {
    const pool = (providers[0] as WorkerPushProvider).pool;
    const tokens = [1, 2, 3].map((n) => hexToken('5107', n));
    for (const [n, token] of tokens.entries()) {
      await registerDevice(f.t, {
        platform: 'apns',
        token,
        activationId: `act-slow-${n}`,
        userId: 'user-slow',
      });
    }
    await registerDevice(f.t, {
      platform: 'fcm',
      token: 'slow-fcm-1',
      activationId: 'act-slow-f',
      userId: 'user-slow',
    });
    f.emulator.setBehaviour('apns', '5107', { kind: 'slow', delayMs: 3000 });
    f.emulator.setBehaviour('fcm', 'slow-fcm', { kind: 'slow', delayMs: 3000 });
    await send('user-slow', 'ASYNCHRONOUS').expect(200);
    await eventually(() => {
      expect(f.emulator.requests('apns')).toHaveLength(3);
      expect(f.emulator.requests('fcm')).toHaveLength(1);
    });
    expect(pool.inFlight).toBe(4);

    // The emulator answers at once from now on; the thread dies with the 4 requests unanswered.
    f.emulator.reset();
    await pool.killWorkers();
    expect(pool.inFlight).toBe(0);

    await eventually(async () => {
      const rows = await messageRows();
      expect(rows).toHaveLength(4);
      for (const row of rows) expect(Number(row.status)).toBe(1);
    });
    const rows = await messageRows();
    for (const row of rows) expect(Number(row.attempts)).toBe(2);
    expect(f.emulator.requests('apns').filter((request) => request.outcome === 200)).toHaveLength(3);
    expect(f.emulator.requests('fcm').filter((request) => request.outcome === 200)).toHaveLength(1);

    // The new thread keeps sending.
    const response = await send('user-slow').expect(200);
    expect(response.body.responseObject.apns).toMatchObject({ sent: 3, total: 3 });
  });
});

/** The key id in the header of the APNs provider token (`bearer <JWT>`). */
function apnsKeyId(authorization: string | string[] | undefined): string {
  const jwt = String(authorization).replace(/^bearer /i, '');
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid;
}
