import { createTestClient, TestClient } from '../support/api-clients';
import { apnsPrivateKeyPem, base64, fcmServiceAccountJson, TEST_API_KEY } from '../support/credentials';
import { DeliveryFixture, hexToken, registerDevice, startDeliveryFixture } from '../support/delivery-fixture';

/**
 * Runs registrations and sends that fail in every way, API keys in every form (right and wrong), and provider key
 * uploads through every admin endpoint, with the most verbose logging; captures everything the process writes, and
 * checks that no whole push token, API secret, Basic credential or private key appears in it.
 */
describe('logs never hold whole push tokens or secrets', () => {
  let f: DeliveryFixture;
  const written: string[] = [];
  const tokens = {
    apnsDead: hexToken('dead', 77),
    apnsCredential: hexToken('cafe', 77),
    fcmRetry: 'flaky-0123456789abcdefghijklmnopqrstuvwxyz',
    hmsBad: 'badhms-0123456789abcdefghijklmnopqrstuvwxyz',
    racing: 'racing-0123456789abcdefghijklmnopqrstuvwxyz-',
  };

  beforeAll(async () => {
    const capture = (stream: NodeJS.WriteStream) => {
      const original = stream.write.bind(stream);
      jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        written.push(String(chunk));
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write);
    };
    capture(process.stdout);
    capture(process.stderr);
    // Libraries that log through console (TypeORM does) bypass process.stdout under jest.
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest
        .spyOn(console, level)
        .mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' ')));
    }
    f = await startDeliveryFixture({ env: { LOG_LEVEL: 'verbose', SEND_MAX_ATTEMPTS: '2' } });
    f.emulator.setBehaviour('apns', 'dead', { kind: 'unregistered' });
    f.emulator.setBehaviour('apns', 'cafe', { kind: 'credential-error' });
    f.emulator.setBehaviour('fcm', 'flaky', { kind: 'unavailable' });
    f.emulator.setBehaviour('hms', 'badhms', { kind: 'bad-token' });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await f.close();
  });

  it('while devices register, sends fail, retry, and dead tokens are removed', async () => {
    await registerDevice(f.t, { platform: 'apns', token: tokens.apnsDead, activationId: 'a1', userId: 'u1' });
    await registerDevice(f.t, {
      platform: 'apns',
      token: tokens.apnsCredential,
      activationId: 'a2',
      userId: 'u1',
    });
    await registerDevice(f.t, { platform: 'fcm', token: tokens.fcmRetry, activationId: 'a3', userId: 'u1' });
    await registerDevice(f.t, { platform: 'hms', token: tokens.hmsBad, activationId: 'a4', userId: 'u1' });
    // A registration that races on the unique index and one that is refused.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => i).map((i) =>
        f.t
          .http()
          .post('/push/device/create')
          .send({
            requestObject: {
              appId: 'mobile-app',
              token: `${tokens.racing}${i % 2}`,
              platform: 'fcm',
              activationId: `race-${i % 2}`,
              userId: 'u1',
            },
          }),
      ),
    );
    const response = await f.t
      .http()
      .post('/push/message/send')
      .send({ requestObject: { appId: 'mobile-app', message: { userId: 'u1', body: { title: 'Hi' } } } })
      .expect(200);
    expect(response.body.responseObject.apns.failed).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await f.t
      .http()
      .post('/push/device/delete')
      .send({ requestObject: { appId: 'mobile-app', token: tokens.hmsBad } });

    const log = written.join('');
    expect(log).toContain('Send failed');
    expect(log).toContain('Removed device');
    for (const token of Object.values(tokens)) expect(log).not.toContain(token);
    const { apns, fcm, hms } = f.credentials;
    for (const secret of [
      apns.privateKeyPem.split('\n')[1],
      fcm.privateKeyPem.split('\n')[1],
      JSON.parse(fcm.serviceAccountJson).private_key.split('\n')[1],
      hms.clientSecret,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toMatch(/authorization: bearer/i);
  });

  it('while API keys are sent right and wrong, as Bearer and Basic, and provider keys are uploaded', async () => {
    const adminSecret = TEST_API_KEY.slice(TEST_API_KEY.indexOf('.') + 1);
    const client: TestClient = await createTestClient(f.t, 'log-check', ['admin', 'device']);
    const wrongSecret = 'wrong-but-maybe-real-elsewhere-0123456789abcdef';
    const authorizations = [
      `Bearer ${TEST_API_KEY}`,
      `Basic ${base64(`test-admin:${adminSecret}`)}`,
      client.bearer,
      client.basic,
      `Bearer test-admin.${wrongSecret}`,
      `Basic ${base64(`test-admin:${wrongSecret}`)}`,
      `Bearer ${client.keyId}.${wrongSecret}`,
      // User name and password swapped: the secret arrives where the key id belongs.
      `Basic ${base64(`${client.secret}:${client.keyId}`)}`,
      `Basic ${base64(`${adminSecret}:test-admin`)}`,
      `Bearer ${client.secret}.${client.keyId}`,
      'Basic !!!',
      `Bearer ${client.secret}`,
      `Token ${client.secret}`,
    ];
    for (const authorization of authorizations) {
      for (const path of ['/admin/app/list', '/v3/api-docs', '/push/nothing-here']) {
        await f.t.anonymous().get(path).set('Authorization', authorization);
      }
      await f.t
        .anonymous()
        .post('/push/device/create')
        .set('Authorization', authorization)
        .send({ requestObject: { appId: 'mobile-app', token: tokens.apnsDead, platform: 'apns' } });
    }

    // Every upload endpoint, current and legacy, good keys and broken ones.
    const apnsPem = apnsPrivateKeyPem();
    const serviceAccount = fcmServiceAccountJson();
    const hmsSecret = 'hms-client-secret-0123456789abcdef';
    const brokenPem =
      '-----BEGIN PRIVATE KEY-----\nBROKENKEYMATERIAL0123456789abcdefABCDEF\n-----END PRIVATE KEY-----\n';
    const brokenAccount = `{"private_key": "${apnsPem.replace(/\n/g, '\\n')}", "client_email": `;
    const http = () => f.t.http();
    await http()
      .post('/admin/app/create')
      .send({ requestObject: { appId: 'log-app' } })
      .expect(200);
    const apns = { appId: 'log-app', bundle: 'b', keyId: 'K', teamId: 'T', environment: 'production' };
    await http()
      .put('/admin/app/apns')
      .send({ requestObject: { ...apns, privateKeyBase64: base64(apnsPem) } })
      .expect(200);
    await http()
      .post('/admin/app/ios/update')
      .send({ requestObject: { ...apns, privateKeyBase64: base64(apnsPem) } })
      .expect(200);
    await http()
      .put('/admin/app/fcm')
      .send({ requestObject: { appId: 'log-app', projectId: 'p', privateKeyBase64: base64(serviceAccount) } })
      .expect(200);
    await http()
      .put('/admin/app/android/update')
      .send({ requestObject: { appId: 'log-app', projectId: 'p', privateKeyBase64: base64(serviceAccount) } })
      .expect(200);
    const hms = { appId: 'log-app', projectId: 'p', clientId: 'c', clientSecret: hmsSecret };
    await http().put('/admin/app/hms').send({ requestObject: hms }).expect(200);
    await http().post('/admin/app/huawei/update').send({ requestObject: hms }).expect(200);
    await http()
      .put('/admin/app/apns')
      .send({ requestObject: { ...apns, privateKeyBase64: base64(brokenPem) } })
      .expect(400);
    await http()
      .put('/admin/app/fcm')
      .send({ requestObject: { appId: 'log-app', projectId: 'p', privateKeyBase64: base64(brokenAccount) } })
      .expect(400);
    await http()
      .put('/admin/app/fcm')
      .send({
        requestObject: { appId: 'log-app', projectId: 'p', privateKeyBase64: `${base64(brokenAccount)}!` },
      })
      .expect(400);
    // Too long for the field, so the violation names it (without the value).
    await http()
      .put('/admin/app/hms')
      .send({ requestObject: { ...hms, clientSecret: `${hmsSecret}${'x'.repeat(300)}` } })
      .expect(400);
    await http()
      .post('/admin/app/detail')
      .send({ requestObject: { appId: 'log-app', includeApns: true, includeFcm: true, includeHms: true } })
      .expect(200);

    const log = written.join('');
    expect(log).toContain('Failed authentication');
    expect(log).toContain('with key id test-admin');
    const pemBody = (pem: string) => pem.split('\n').filter((line) => line && !line.startsWith('-----'));
    const secrets = [
      adminSecret,
      client.secret,
      wrongSecret,
      hmsSecret,
      'BROKENKEYMATERIAL',
      ...authorizations
        .map((authorization) => authorization.split(' ')[1])
        .filter((value) => value.length > 8),
      ...pemBody(apnsPem),
      ...pemBody(JSON.parse(serviceAccount).private_key),
      ...pemBody(f.credentials.apns.privateKeyPem),
      ...pemBody(f.credentials.fcm.privateKeyPem),
      base64(apnsPem).slice(40, 120),
      base64(serviceAccount).slice(200, 280),
      f.credentials.hms.clientSecret,
    ];
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/authorization:/i);
  });

  it('keeps TypeORM from logging queries, whose parameters hold push tokens and secrets', () => {
    expect(f.t.dataSource.options.logging).toBe(false);
  });
});
