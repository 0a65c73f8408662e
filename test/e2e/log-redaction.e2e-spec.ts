import { DeliveryFixture, hexToken, registerDevice, startDeliveryFixture } from '../support/delivery-fixture';

/**
 * Runs registrations and sends that fail in every way with the most verbose logging, captures everything the
 * process writes, and checks that no whole push token and no secret appears in it.
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

  it('keeps TypeORM from logging queries, whose parameters hold push tokens and secrets', () => {
    expect(f.t.dataSource.options.logging).toBe(false);
  });
});
