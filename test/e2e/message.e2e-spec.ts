import {
  DeliveryFixture,
  eventually,
  hexToken,
  registerDevice,
  startDeliveryFixture,
} from '../support/delivery-fixture';

const APNS = hexToken('a0', 1);
const FCM = 'fcm-token-1';
const HMS = 'hms-token-1';

const counters = (sent: number, failed: number, pending: number, total: number) => ({
  sent,
  failed,
  pending,
  total,
});
const zero = counters(0, 0, 0, 0);

function send(f: DeliveryFixture, message: Record<string, unknown>, mode?: string) {
  return f.t
    .http()
    .post('/push/message/send')
    .send({ requestObject: { appId: 'mobile-app', mode, message } });
}

async function rows(f: DeliveryFixture) {
  const result = await f.t.sql<Record<string, unknown>>(
    `SELECT m.id, m.device_registration_id, m.user_id, m.status, m.attempts, m.provider_message_id, m.last_error,
      m.lease_owner, m.message_body, m.content_id, d.push_token
     FROM push_message m LEFT JOIN push_device_registration d ON d.id = m.device_registration_id ORDER BY m.id`,
  );
  return result.map((r): Record<string, unknown> & { status: number; attempts: number } => ({
    ...r,
    status: Number(r.status),
    attempts: Number(r.attempts),
  }));
}

/** Every delivery test runs with the adapters in the main thread and in a provider worker thread. */
const PROVIDER_THREADS = [
  ['adapters in the main thread', '0'],
  ['adapters in a worker thread', '1'],
];

describe.each(PROVIDER_THREADS)('POST /push/message/send (%s)', (_where, threads) => {
  let f: DeliveryFixture;

  beforeAll(async () => {
    f = await startDeliveryFixture({ env: { PROVIDER_THREADS: threads } });
    await registerDevice(f.t, { platform: 'apns', token: APNS, activationId: 'act-apns', userId: 'user-1' });
    await registerDevice(f.t, { platform: 'android', token: FCM, activationId: 'act-fcm', userId: 'user-1' });
    await registerDevice(f.t, { platform: 'hms', token: HMS, activationId: 'act-hms', userId: 'user-1' });
  });
  afterAll(() => f.close());
  beforeEach(async () => {
    f.emulator.reset();
    await f.t.sql('DELETE FROM push_message');
  });

  it('SYNCHRONOUS: sends to every device of the user and answers the counters flat in responseObject', async () => {
    const response = await send(f, {
      userId: 'user-1',
      body: { title: 'Balance update', body: 'Now $745.00' },
    }).expect(200);
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        mode: 'SYNCHRONOUS',
        apns: counters(1, 0, 0, 1),
        fcm: counters(1, 0, 0, 1),
        hms: counters(1, 0, 0, 1),
      },
    });
    const [apns] = f.emulator.requests('apns');
    expect(apns.path).toBe(`/3/device/${APNS}`);
    expect(apns.body).toEqual({ aps: { alert: { title: 'Balance update', body: 'Now $745.00' } } });
    expect((f.emulator.requests('fcm')[0].body as { message: { token: string } }).message.token).toBe(FCM);
    expect((f.emulator.requests('hms')[0].body as { message: { token: string[] } }).message.token).toEqual([
      HMS,
    ]);

    const stored = await rows(f);
    expect(stored).toHaveLength(3);
    for (const row of stored) {
      expect(row).toMatchObject({
        user_id: 'user-1',
        status: 1,
        attempts: 1,
        last_error: null,
        lease_owner: null,
      });
      expect(row.provider_message_id).toEqual(expect.any(String));
      expect(JSON.parse(String(row.message_body))).toEqual({ title: 'Balance update', body: 'Now $745.00' });
    }
    expect(new Set(stored.map((r) => r.content_id)).size).toBe(1);
  });

  it('ASYNCHRONOUS: answers once the rows are committed, then sends', async () => {
    const response = await send(f, { userId: 'user-1', body: { title: 'Hi' } }, 'ASYNCHRONOUS').expect(200);
    expect(response.body).toEqual({ status: 'OK', responseObject: { mode: 'ASYNCHRONOUS' } });
    expect(await rows(f)).toHaveLength(3);
    await eventually(async () => expect((await rows(f)).map((r) => r.status)).toEqual([1, 1, 1]));
    expect(f.emulator.requests('apns')).toHaveLength(1);
  });

  it('sends only to the given activation', async () => {
    const response = await send(f, {
      userId: 'user-1',
      activationId: 'act-fcm',
      body: { title: 'Hi' },
    }).expect(200);
    expect(response.body.responseObject).toEqual({
      mode: 'SYNCHRONOUS',
      apns: zero,
      fcm: counters(1, 0, 0, 1),
      hms: zero,
    });
    expect(f.emulator.requests('apns')).toHaveLength(0);
  });

  it('answers zeros when the user has no device', async () => {
    const response = await send(f, { userId: 'nobody', body: { title: 'Hi' } }).expect(200);
    expect(response.body.responseObject).toEqual({ mode: 'SYNCHRONOUS', apns: zero, fcm: zero, hms: zero });
    expect(await rows(f)).toEqual([]);
  });

  it('a personal message skips devices whose activation is not ACTIVE, without counting them', async () => {
    await registerDevice(f.t, {
      platform: 'fcm',
      token: 'blocked-token',
      activationId: 'act-blocked',
      userId: 'user-2',
      activationStatus: 'BLOCKED',
    });
    await registerDevice(f.t, {
      platform: 'fcm',
      token: 'active-token',
      activationId: 'act-active',
      userId: 'user-2',
    });
    const personal = await send(f, {
      userId: 'user-2',
      attributes: { personal: true },
      body: { title: 'Hi' },
    }).expect(200);
    expect(personal.body.responseObject.fcm).toEqual(counters(1, 0, 0, 1));
    expect(
      f.emulator.requests('fcm').map((r) => (r.body as { message: { token: string } }).message.token),
    ).toEqual(['active-token']);
    expect(await rows(f)).toHaveLength(1);
    const everyone = await send(f, { userId: 'user-2', body: { title: 'Hi' } }).expect(200);
    expect(everyone.body.responseObject.fcm).toEqual(counters(2, 0, 0, 2));
  });

  it('removes a device whose token APNs declares unregistered, and counts it failed', async () => {
    const dead = hexToken('dead', 1);
    f.emulator.setBehaviour('apns', 'dead', { kind: 'unregistered' });
    await registerDevice(f.t, { platform: 'apns', token: dead, activationId: 'act-dead', userId: 'user-3' });
    const response = await send(f, { userId: 'user-3', body: { title: 'Hi' } }).expect(200);
    expect(response.body.responseObject.apns).toEqual(counters(0, 1, 0, 1));
    expect(await f.t.sql('SELECT id FROM push_device_registration WHERE push_token = ?', [dead])).toEqual([]);
    const [row] = await rows(f);
    expect(row).toMatchObject({ status: -1, last_error: 'APNs 410 Unregistered' });
  });

  it('keeps the devices and flags the app when its credentials are refused', async () => {
    const token = hexToken('cafe', 1);
    f.emulator.setBehaviour('apns', 'cafe', { kind: 'credential-error' });
    await registerDevice(f.t, { platform: 'apns', token, activationId: 'act-cred', userId: 'user-4' });
    const response = await send(f, { userId: 'user-4', body: { title: 'Hi' } }).expect(200);
    expect(response.body.responseObject.apns).toEqual(counters(0, 1, 0, 1));
    expect(
      await f.t.sql('SELECT id FROM push_device_registration WHERE push_token = ?', [token]),
    ).toHaveLength(1);
    const detail = await f.t
      .http()
      .post('/admin/app/detail')
      .send({ requestObject: { appId: 'mobile-app' } })
      .expect(200);
    expect(detail.body.responseObject.apnsCredentialsFailing).toEqual({
      reason: expect.stringMatching(/^APNs 403/),
      since: expect.stringMatching(/\+00:00$/),
    });
    // A success clears the flag.
    await send(f, { userId: 'user-1', activationId: 'act-apns', body: { title: 'Hi' } }).expect(200);
    const after = await f.t
      .http()
      .post('/admin/app/detail')
      .send({ requestObject: { appId: 'mobile-app' } })
      .expect(200);
    expect(after.body.responseObject.apnsCredentialsFailing).toBeUndefined();
  });

  it('retries a 503 with backoff and then sends; the SYNCHRONOUS answer counts it pending', async () => {
    f.emulator.setBehaviour('fcm', 'flaky', { kind: 'fail-times', times: 2, with: 'unavailable' });
    await registerDevice(f.t, {
      platform: 'fcm',
      token: 'flaky-1',
      activationId: 'act-flaky',
      userId: 'user-5',
    });
    const response = await send(f, { userId: 'user-5', body: { title: 'Hi' } }).expect(200);
    expect(response.body.responseObject.fcm).toEqual(counters(0, 0, 1, 1));
    await eventually(async () =>
      expect((await rows(f))[0]).toMatchObject({ status: 1, attempts: 3, last_error: null }),
    );
    expect(f.emulator.requests('fcm').map((r) => r.outcome)).toEqual([503, 503, 200]);
  });

  it('gives up after SEND_MAX_ATTEMPTS and keeps the last reason', async () => {
    f.emulator.setBehaviour('hms', 'down', { kind: 'unavailable' });
    await registerDevice(f.t, {
      platform: 'hms',
      token: 'down-1',
      activationId: 'act-down',
      userId: 'user-6',
    });
    await send(f, { userId: 'user-6', body: { title: 'Hi' } }, 'ASYNCHRONOUS').expect(200);
    await eventually(async () =>
      expect((await rows(f))[0]).toMatchObject({
        status: -1,
        attempts: 5,
        last_error: expect.stringContaining('(after 5 attempts)'),
      }),
    );
    expect(f.emulator.requests('hms')).toHaveLength(5);
    expect(
      await f.t.sql('SELECT id FROM push_device_registration WHERE push_token = ?', ['down-1']),
    ).toHaveLength(1);
  });

  it('does not send after validUntil', async () => {
    const response = await send(f, {
      userId: 'user-1',
      activationId: 'act-fcm',
      body: { title: 'Too late', validUntil: new Date(Date.now() - 1000).toISOString() },
    }).expect(200);
    expect(response.body.responseObject.fcm).toEqual(counters(0, 1, 0, 1));
    expect(f.emulator.requests('fcm')).toHaveLength(0);
    expect((await rows(f))[0]).toMatchObject({
      status: -1,
      last_error: 'Expired: validUntil passed before sending',
    });
  });

  it('stops retrying when the next attempt would come after validUntil', async () => {
    f.emulator.setBehaviour('fcm', 'late', { kind: 'rate-limit', retryAfterSeconds: 30 });
    await registerDevice(f.t, {
      platform: 'fcm',
      token: 'late-1',
      activationId: 'act-late',
      userId: 'user-7',
    });
    const validUntil = new Date(Date.now() + 5000).toISOString();
    const response = await send(f, { userId: 'user-7', body: { title: 'Hi', validUntil } }).expect(200);
    expect(response.body.responseObject.fcm).toEqual(counters(0, 1, 0, 1));
    expect((await rows(f))[0].last_error).toMatch(/^Expired: validUntil passes before the next attempt/);
  });

  it('fails an APNs development device of an app that sends through production, without calling APNs', async () => {
    await registerDevice(f.t, {
      platform: 'apns',
      token: hexToken('de5', 1),
      activationId: 'act-dev',
      userId: 'user-8',
      environment: 'development',
    });
    const response = await send(f, { userId: 'user-8', body: { title: 'Hi' } }).expect(200);
    expect(response.body.responseObject.apns).toEqual(counters(0, 1, 0, 1));
    expect(f.emulator.requests('apns')).toHaveLength(0);
  });

  it.each([
    ['no requestObject', {}, 'ERROR_REQUEST'],
    ['no message', { requestObject: { appId: 'mobile-app' } }, 'Message must not be empty'],
    ['no appId', { requestObject: { message: { userId: 'u', body: {} } } }, 'App ID must not be null.'],
    [
      'no body',
      { requestObject: { appId: 'mobile-app', message: { userId: 'u' } } },
      'Push message payload (body) must not be null.',
    ],
    [
      'no userId',
      { requestObject: { appId: 'mobile-app', message: { body: {} } } },
      'Push message must contain a user ID.',
    ],
    [
      'blank userId',
      { requestObject: { appId: 'mobile-app', message: { userId: '', body: {} } } },
      'No userId was specified',
    ],
    [
      'unknown app',
      { requestObject: { appId: 'nope', message: { userId: 'user-1', body: {} } } },
      'AppCredentials not found: nope',
    ],
    [
      'a body over 4 KB',
      {
        requestObject: {
          appId: 'mobile-app',
          message: { userId: 'user-1', body: { title: 't'.repeat(300), body: 'x'.repeat(4000) } },
        },
      },
      /^Push message is too large for APNs/,
    ],
    [
      'a wrong mode',
      { requestObject: { appId: 'mobile-app', mode: 'LATER', message: { userId: 'user-1', body: {} } } },
      'ERROR_REQUEST',
    ],
  ])('answers %s with 400 and sends nothing', async (_case, body, expected) => {
    const response = await f.t.http().post('/push/message/send').send(body).expect(400);
    expect(response.body.status).toBe('ERROR');
    if (expected === 'ERROR_REQUEST') expect(response.body.responseObject.code).toBe('ERROR_REQUEST');
    else
      expect(response.body.responseObject).toEqual({
        code: 'ERROR_GENERIC',
        message: typeof expected === 'string' ? expected : expect.stringMatching(expected),
      });
    expect(await rows(f)).toEqual([]);
    expect(f.emulator.counts()).toMatchObject({ apns: 0, fcm: 0, hms: 0 });
  });
});

describe.each(PROVIDER_THREADS)('POST /push/message/batch/send (%s)', (_where, threads) => {
  let f: DeliveryFixture;

  beforeAll(async () => {
    f = await startDeliveryFixture({ env: { API_NAMING: 'legacy', PROVIDER_THREADS: threads } });
    await registerDevice(f.t, { platform: 'ios', token: APNS, activationId: 'act-1', userId: 'user-1' });
    await registerDevice(f.t, { platform: 'fcm', token: FCM, activationId: 'act-2', userId: 'user-2' });
  });
  afterAll(() => f.close());

  it('sends each message of the batch and answers with the legacy keys', async () => {
    const response = await f.t
      .http()
      .post('/push/message/batch/send')
      .send({
        requestObject: {
          appId: 'mobile-app',
          batch: [
            { userId: 'user-1', body: { title: 'One' } },
            { userId: 'user-2', body: { title: 'Two' } },
          ],
        },
      })
      .expect(200);
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        mode: 'SYNCHRONOUS',
        ios: counters(1, 0, 0, 1),
        android: counters(1, 0, 0, 1),
        huawei: zero,
      },
    });
  });

  it('gives each device its own message of the batch, and each row its own content row', async () => {
    f.emulator.reset();
    const users = Array.from({ length: 6 }, (_, i) => `mixed-${i}`);
    for (const [i, userId] of users.entries()) {
      await registerDevice(f.t, {
        platform: 'fcm',
        token: `fcm-mixed-${i}`,
        activationId: `act-m-${i}`,
        userId,
      });
    }
    const before = Number(
      (await f.t.sql<{ id: number }>('SELECT MAX(id) AS id FROM push_message'))[0].id ?? 0,
    );
    await f.t
      .http()
      .post('/push/message/batch/send')
      .send({
        requestObject: {
          appId: 'mobile-app',
          batch: users.map((userId, i) => ({ userId, body: { title: `Message ${i}` } })),
        },
      })
      .expect(200);
    const received = f.emulator
      .requests('fcm')
      .map(
        (request) =>
          request.body as { message: { token: string; android: { notification: { title: string } } } },
      );
    expect(received.map(({ message }) => [message.token, message.android.notification.title]).sort()).toEqual(
      users.map((_userId, i) => [`fcm-mixed-${i}`, `Message ${i}`]),
    );
    const stored = await f.t.sql<{ user_id: string; body: string }>(
      `SELECT m.user_id, c.body FROM push_message m JOIN push_message_content c ON c.id = m.content_id
       WHERE m.id > ? ORDER BY m.user_id`,
      [before],
    );
    expect(stored.map((row) => [row.user_id, JSON.parse(row.body).title])).toEqual(
      users.map((userId, i) => [userId, `Message ${i}`]),
    );
  });

  it.each([
    ['a missing batch', {}, 'Batch must not be empty'],
    ['an empty batch', { batch: [] }, 'There are no push messages in the batch.'],
    [
      '21 messages',
      { batch: Array.from({ length: 21 }, () => ({ userId: 'user-1', body: { title: 'x' } })) },
      'Too many messages in batch - do no send more than 20 messages at once to avoid server congestion.',
    ],
    [
      'an invalid message',
      { batch: [{ userId: 'user-1', body: {} }, { body: {} }] },
      'Push message at index: 1 is not valid. Nested error is: Push message must contain a user ID.',
    ],
  ])('answers %s with 400 and sends nothing', async (_case, extra, message) => {
    f.emulator.reset();
    const response = await f.t
      .http()
      .post('/push/message/batch/send')
      .send({ requestObject: { appId: 'mobile-app', ...extra } })
      .expect(400);
    expect(response.body).toEqual({ status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message } });
    expect(f.emulator.counts()).toMatchObject({ apns: 0, fcm: 0, hms: 0 });
  });

  it('exposes Prometheus metrics of the sends', async () => {
    const metrics = await f.t.http().get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/push_sends_total\{platform="apns",outcome="delivered"\} 1/);
    expect(metrics.text).toMatch(/push_send_duration_seconds_bucket\{le="0.05",platform="fcm"\}/);
    expect(metrics.text).toContain('push_queue_depth{platform="hms"} 0');
  });
});
