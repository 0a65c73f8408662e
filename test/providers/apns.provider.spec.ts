import { createSecureContext } from 'node:tls';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { AppConfig, loadConfig } from '../../src/common/config/app-config';
import { ProviderEmulator, RecordedRequest } from '../../src/emulator/provider-emulator';
import { ApnsHttp2Client } from '../../src/providers/apns/apns-http2.client';
import { ApnsPayloadBuilder } from '../../src/providers/apns/apns-payload.builder';
import { ApnsTokenSigner } from '../../src/providers/apns/apns-token.signer';
import { ApnsProvider } from '../../src/providers/apns/apns.provider';
import { DeviceTarget, ProviderApp, PushContent, PushNotification } from '../../src/providers/push-provider';
import { ConnectProxy } from '../support/connect-proxy';
import { apnsPrivateKeyPem } from '../support/credentials';

const KEY_ID = 'KEY0000001';
const TEAM_ID = 'TEAM000001';
const BUNDLE = 'com.example.mobile';

/** A 64-hex-digit token; the prefix selects an emulator behaviour ('0…' never matches one). */
const token = (prefix = '0') => prefix + randomBytes(32).toString('hex').slice(prefix.length);
const note = (content: PushContent, extra: Partial<PushNotification> = {}): PushNotification => ({
  content,
  silent: false,
  priority: 'HIGH',
  ...extra,
});
const jwtHeader = (request: RecordedRequest) =>
  JSON.parse(Buffer.from(String(request.headers.authorization).split(/[ .]/)[1], 'base64url').toString()) as {
    kid: string;
  };

describe('ApnsProvider against the APNs emulator', () => {
  const emulator = new ProviderEmulator();
  let privateKeyPem: string;
  let app: ProviderApp;
  const providers: ApnsProvider[] = [];

  const providerWith = (
    env: Record<string, string> = {},
    overrides: (config: AppConfig) => void = () => {},
  ) => {
    const config = loadConfig({
      APNS_PRODUCTION_URL: emulator.apnsUrl,
      APNS_DEVELOPMENT_URL: emulator.apnsUrl,
      PROVIDER_CA_FILE: emulator.caFile,
      PROVIDER_TIMEOUT_MS: '3000',
      ...env,
    });
    overrides(config);
    const provider = new ApnsProvider(config);
    providers.push(provider);
    return provider;
  };
  const requestsTo = (device: string, source = emulator) =>
    source.requests('apns').filter((request) => request.path === `/3/device/${device}`);
  const only = (device: string, source = emulator) => {
    const requests = requestsTo(device, source);
    expect(requests).toHaveLength(1);
    return requests[0];
  };

  /** What the adapter logged: checked for tokens, and kept out of the test output. */
  const logs: string[] = [];

  beforeAll(async () => {
    const record = (message: unknown) => void logs.push(String(message));
    Logger.overrideLogger({ log: record, error: record, warn: record, debug: record, verbose: record });
    await emulator.start();
    privateKeyPem = apnsPrivateKeyPem();
    emulator.registerApnsKey({ keyId: KEY_ID, teamId: TEAM_ID, privateKeyPem });
    app = {
      appId: 'mobile-app',
      credentialsVersion: 'v1',
      apns: { keyId: KEY_ID, teamId: TEAM_ID, bundle: BUNDLE, privateKeyPem },
    };
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close()));
    emulator.reset();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  describe('the request', () => {
    it('sends a plain alert to /3/device/<token> with the hex digits of the token only', async () => {
      const device = token();
      const spaced = `<${device.slice(0, 8)} ${device.slice(8, 40).toUpperCase()} ${device.slice(40)}>`;
      const [outcome] = await providerWith().send(
        app,
        note({ title: 'Hello', body: 'World', sound: 'default' }),
        [{ token: spaced }],
      );

      const request = only(device.slice(0, 8) + device.slice(8, 40).toUpperCase() + device.slice(40));
      expect(request.method).toBe('POST');
      expect(request.httpVersion).toBe('2.0');
      expect(request.headers).toMatchObject({
        'apns-topic': BUNDLE,
        'apns-push-type': 'alert',
        'apns-priority': '10',
        'apns-expiration': '0',
      });
      expect(request.headers).not.toHaveProperty('apns-collapse-id');
      expect(request.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(request.body).toEqual({ aps: { alert: { title: 'Hello', body: 'World' }, sound: 'default' } });
      expect(outcome).toEqual({
        status: 'delivered',
        providerMessageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    });

    it('sends a silent push as background with priority 5 and content-available', async () => {
      const device = token();
      const [outcome] = await providerWith().send(
        app,
        note(
          { title: 'not shown', body: 'not shown', sound: 'default', category: 'c', badge: 2 },
          { silent: true },
        ),
        [{ token: device }],
      );
      const request = only(device);
      expect(request.headers).toMatchObject({ 'apns-push-type': 'background', 'apns-priority': '5' });
      expect(request.body).toEqual({ aps: { 'content-available': 1, badge: 2 } });
      expect(outcome.status).toBe('delivered');
    });

    it("sends the original's localized example with loc keys, args, badge, collapse key and extras", async () => {
      const device = token();
      await providerWith().send(
        app,
        note({
          title: 'Balance update',
          titleLocKey: 'balance.update.title',
          titleLocArgs: ['745'],
          body: 'Your balance is now $745.00',
          bodyLocKey: 'balance.update.body',
          bodyLocArgs: ['$745.00', 'EUR'],
          badge: 3,
          sound: 'default',
          category: 'balance-update',
          collapseKey: 'balance-update',
          icon: 'ignored',
          extras: { _comment: 'Any custom data.' },
        }),
        [{ token: device }],
      );
      const request = only(device);
      expect(request.headers).toMatchObject({ 'apns-collapse-id': 'balance-update' });
      expect(request.body).toEqual({
        aps: {
          badge: 3,
          alert: {
            'loc-key': 'balance.update.body',
            'loc-args': ['$745.00', 'EUR'],
            body: 'Your balance is now $745.00',
            title: 'Balance update',
            'title-loc-key': 'balance.update.title',
            'title-loc-args': ['745'],
          },
          sound: 'default',
          category: 'balance-update',
          'thread-id': 'balance-update',
        },
        _comment: 'Any custom data.',
      });
    });

    it('sends a badge-only push without an alert', async () => {
      const device = token();
      await providerWith().send(app, note({ badge: 0 }), [{ token: device }]);
      expect(only(device).body).toEqual({ aps: { badge: 0 } });
    });

    it('keeps the collapse key of a silent push as collapse id and thread-id', async () => {
      const device = token();
      await providerWith().send(app, note({ collapseKey: 'sync' }, { silent: true, priority: 'NORMAL' }), [
        { token: device },
      ]);
      const request = only(device);
      expect(request.headers).toMatchObject({ 'apns-collapse-id': 'sync', 'apns-priority': '5' });
      expect(request.body).toEqual({ aps: { 'content-available': 1, 'thread-id': 'sync' } });
    });

    it('maps validUntil to apns-expiration in epoch seconds and NORMAL to priority 5', async () => {
      const device = token();
      const validUntil = new Date(Date.now() + 3_600_000);
      await providerWith().send(app, note({ body: 'x', validUntil }, { priority: 'NORMAL' }), [
        { token: device },
      ]);
      expect(only(device).headers).toMatchObject({
        'apns-expiration': String(Math.floor(validUntil.getTime() / 1000)),
        'apns-priority': '5',
        'apns-push-type': 'alert',
      });
    });

    it('puts extras at the top level, dropping null ones and keeping nested objects', async () => {
      const device = token();
      await providerWith().send(
        app,
        note({
          body: 'x',
          extras: { gone: null, nested: { list: [1, 'two'], deep: { on: true } }, count: 0 },
        }),
        [{ token: device }],
      );
      expect(only(device).body).toEqual({
        aps: { alert: { body: 'x' } },
        nested: { list: [1, 'two'], deep: { on: true } },
        count: 0,
      });
    });
  });

  describe('outcomes', () => {
    it('classifies each answer, one outcome per target in order', async () => {
      emulator.setBehaviour('apns', 'a1', { kind: 'unregistered' });
      emulator.setBehaviour('apns', 'b2', { kind: 'bad-token' });
      emulator.setBehaviour('apns', 'c3', { kind: 'rate-limit', retryAfterSeconds: 7 });
      emulator.setBehaviour('apns', 'd4', { kind: 'unavailable' });
      emulator.setBehaviour('apns', 'e5', { kind: 'rate-limit' });
      const devices = [token(), token('a1'), token('b2'), token('c3'), token('d4'), token('e5'), token()];

      const outcomes = await providerWith().send(
        app,
        note({ body: 'x' }),
        devices.map((device) => ({ token: device })),
      );

      expect(outcomes).toEqual([
        { status: 'delivered', providerMessageId: expect.any(String) },
        { status: 'invalid-token', reason: 'APNs 410 Unregistered' },
        { status: 'invalid-token', reason: 'APNs 400 BadDeviceToken' },
        { status: 'retryable', reason: 'APNs 429 TooManyRequests', retryAfterMs: 7000 },
        { status: 'retryable', reason: 'APNs 503 ServiceUnavailable' },
        { status: 'retryable', reason: 'APNs 429 TooManyRequests' },
        { status: 'delivered', providerMessageId: expect.any(String) },
      ]);
      // No internal retries: the pipeline owns them.
      expect(devices.map((device) => requestsTo(device).length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
      // Logs name the device by its last characters only.
      expect(logs.join('\n')).toContain(`device …${devices[1].slice(-6)}: APNs 410 Unregistered`);
      expect(devices.some((device) => logs.join('\n').includes(device))).toBe(false);
    });

    it('flags the credentials when APNs refuses the provider token (key not registered there)', async () => {
      const otherKey = apnsPrivateKeyPem();
      const devices = [token(), token()];
      const outcomes = await providerWith().send(
        {
          ...app,
          appId: 'unknown-key-app',
          apns: { ...app.apns!, keyId: 'UNKNOWN001', privateKeyPem: otherKey },
        },
        note({ body: 'x' }),
        devices.map((device) => ({ token: device })),
      );
      expect(outcomes).toEqual([
        { status: 'failed', reason: 'APNs 403 InvalidProviderToken', credentialsFailing: true },
        { status: 'failed', reason: 'APNs 403 InvalidProviderToken', credentialsFailing: true },
      ]);
      expect(jwtHeader(only(devices[0])).kid).toBe('UNKNOWN001');
    });

    it('flags the credentials of an app without APNs, or with a key that is not a P-256 key, and sends nothing', async () => {
      const provider = providerWith();
      const devices = [token(), token()];
      const targets = devices.map((device) => ({ token: device }));
      expect(await provider.send({ ...app, apns: undefined }, note({ body: 'x' }), targets)).toEqual([
        { status: 'failed', reason: 'APNs is not configured for this app', credentialsFailing: true },
        { status: 'failed', reason: 'APNs is not configured for this app', credentialsFailing: true },
      ]);
      const broken = { ...app, appId: 'broken', apns: { ...app.apns!, privateKeyPem: 'not a key' } };
      expect(await provider.send(broken, note({ body: 'x' }), targets)).toEqual([
        {
          status: 'failed',
          reason: 'APNs private key is not a P-256 (ES256) private key',
          credentialsFailing: true,
        },
        {
          status: 'failed',
          reason: 'APNs private key is not a P-256 (ES256) private key',
          credentialsFailing: true,
        },
      ]);
      expect(devices.flatMap((device) => requestsTo(device))).toHaveLength(0);
    });

    it('answers retryable when nothing listens on the APNs port', async () => {
      const port = await closedPort();
      const provider = providerWith({ APNS_PRODUCTION_URL: `https://127.0.0.1:${port}` });
      expect(await provider.send(app, note({ body: 'x' }), [{ token: token() }, { token: token() }])).toEqual(
        [
          { status: 'retryable', reason: 'APNs connection failed: ECONNREFUSED' },
          { status: 'retryable', reason: 'APNs connection failed: ECONNREFUSED' },
        ],
      );
    });

    it('fails fast for the rest of a send once connecting failed, instead of connecting for every device', async () => {
      const proxy = new ConnectProxy();
      const proxyUrl = await proxy.start();
      try {
        const provider = providerWith({
          APNS_PRODUCTION_URL: `https://127.0.0.1:${await closedPort()}`,
          APNS_PROXY_URL: proxyUrl,
          SEND_CONCURRENCY_APNS: '1',
        });
        const outcomes = await provider.send(
          app,
          note({ body: 'x' }),
          [1, 2, 3, 4, 5].map(() => ({ token: token() })),
        );
        expect(outcomes).toEqual(
          Array(5).fill({ status: 'retryable', reason: 'APNs proxy refused the tunnel: HTTP 502' }),
        );
        expect(proxy.tunnels).toHaveLength(1);
      } finally {
        await proxy.stop();
      }
    });

    it('answers retryable when APNs does not answer in time', async () => {
      emulator.setBehaviour('apns', 'f6', { kind: 'slow', delayMs: 2000 });
      const provider = providerWith({ PROVIDER_TIMEOUT_MS: '200' });
      const started = Date.now();
      const [outcome] = await provider.send(app, note({ body: 'x' }), [{ token: token('f6') }]);
      expect(outcome).toEqual({ status: 'retryable', reason: 'APNs request timed out after 200 ms' });
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it('answers retryable when the connection drops mid-request', async () => {
      const flaky = new ProviderEmulator();
      await flaky.start();
      try {
        flaky.registerApnsKey({ keyId: KEY_ID, teamId: TEAM_ID, privateKeyPem });
        flaky.setBehaviour('apns', 'f7', { kind: 'slow', delayMs: 5000 });
        const provider = providerWith({ APNS_PRODUCTION_URL: flaky.apnsUrl, PROVIDER_CA_FILE: flaky.caFile });
        const pending = provider.send(app, note({ body: 'x' }), [{ token: token('f7') }]);
        await waitFor(() => flaky.requests('apns').length === 1);
        await flaky.stop();
        const [outcome] = await pending;
        expect(outcome.status).toBe('retryable');
        expect((outcome as { reason: string }).reason).toMatch(/^APNs stream /);
      } finally {
        await flaky.stop();
      }
    });

    it('renews an expired provider token and resends once', async () => {
      const device = token();
      let calls = 0;
      // The first token is signed two hours in the past, as if it had been cached too long.
      const signer = new ApnsTokenSigner(privateKeyPem, KEY_ID, TEAM_ID, () =>
        calls++ === 0 ? Date.now() - 2 * 3_600_000 : Date.now(),
      );
      const client = new ApnsHttp2Client(
        {
          url: emulator.apnsUrl,
          secureContext: createSecureContext({ ca: emulator.caPem }),
          requestTimeoutMs: 3000,
        },
        signer,
      );
      try {
        const answer = await client.send(device, new ApnsPayloadBuilder().build(BUNDLE, note({ body: 'x' })));
        expect(answer).toMatchObject({ kind: 'response', status: 200 });
        expect(requestsTo(device).map((request) => request.outcome)).toEqual([403, 200]);
      } finally {
        await client.close();
      }
    });
  });

  describe('clients', () => {
    it('keeps one client per app and credentials version, and rebuilds it when the version changes', async () => {
      const provider = providerWith();
      const newKey = apnsPrivateKeyPem();
      emulator.registerApnsKey({ keyId: 'KEY0000002', teamId: TEAM_ID, privateKeyPem: newKey });
      const rotated = { ...app.apns!, keyId: 'KEY0000002', privateKeyPem: newKey };
      const [first, sameVersion, newVersion] = [token(), token(), token()];

      await provider.send(app, note({ body: 'x' }), [{ token: first }]);
      // Same version: the cached client (and its key) is used, whatever the object says.
      await provider.send({ ...app, apns: rotated }, note({ body: 'x' }), [{ token: sameVersion }]);
      const outcomes = await provider.send(
        { ...app, credentialsVersion: 'v2', apns: rotated },
        note({ body: 'x' }),
        [{ token: newVersion }],
      );

      expect(jwtHeader(only(first)).kid).toBe(KEY_ID);
      expect(jwtHeader(only(sameVersion)).kid).toBe(KEY_ID);
      expect(jwtHeader(only(newVersion)).kid).toBe('KEY0000002');
      expect(outcomes[0].status).toBe('delivered');
    });

    it('sends development targets to the development URL and the others to production', async () => {
      const closed = `https://127.0.0.1:${await closedPort()}`;
      const refused = { status: 'retryable', reason: 'APNs connection failed: ECONNREFUSED' };
      const delivered = { status: 'delivered', providerMessageId: expect.any(String) };
      const targets = (): DeviceTarget[] => [
        { token: token(), apnsEnvironment: 'development' },
        { token: token(), apnsEnvironment: 'production' },
        // Not resolved by the pipeline: production.
        { token: token() },
      ];

      const productionOnly = providerWith({ APNS_DEVELOPMENT_URL: closed });
      const toProduction = targets();
      expect(await productionOnly.send(app, note({ body: 'x' }), toProduction)).toEqual([
        refused,
        delivered,
        delivered,
      ]);

      const developmentOnly = providerWith({ APNS_PRODUCTION_URL: closed });
      const toDevelopment = targets();
      expect(await developmentOnly.send(app, note({ body: 'x' }), toDevelopment)).toEqual([
        delivered,
        refused,
        refused,
      ]);
      expect(requestsTo(toDevelopment[0].token)).toHaveLength(1);
    });

    it('goes through the HTTP CONNECT proxy of APNS_PROXY_URL, with its credentials, trusting the extra CA', async () => {
      const proxy = new ConnectProxy();
      const proxyUrl = await proxy.start();
      try {
        proxy.requiredAuthorization = `Basic ${Buffer.from('push:s3cret').toString('base64')}`;
        const device = token();
        const provider = providerWith({ APNS_PROXY_URL: proxyUrl.replace('http://', 'http://push:s3cret@') });
        const [outcome] = await provider.send(app, note({ body: 'x' }), [{ token: device }]);

        expect(outcome.status).toBe('delivered');
        expect(proxy.tunnels).toEqual([
          { target: `127.0.0.1:${emulator.port}`, proxyAuthorization: proxy.requiredAuthorization },
        ]);
        expect(requestsTo(device)).toHaveLength(1);

        const refused = providerWith({ APNS_PROXY_URL: proxyUrl });
        expect(await refused.send(app, note({ body: 'x' }), [{ token: token() }])).toEqual([
          { status: 'retryable', reason: 'APNs proxy refused the tunnel: HTTP 407' },
        ]);
      } finally {
        await Promise.all(providers.splice(0).map((provider) => provider.close()));
        await proxy.stop();
      }
    });

    it('keeps at most SEND_CONCURRENCY_APNS requests in flight for a large send', async () => {
      emulator.setBehaviour('apns', '', { kind: 'slow', delayMs: 5 });
      const provider = providerWith({ SEND_CONCURRENCY_APNS: '40' });
      const targets = Array.from({ length: 2000 }, () => ({ token: token() }));
      let peak = 0;
      const sampler = setInterval(() => {
        const pending = emulator.requests('apns').filter((request) => request.outcome === 0).length;
        peak = Math.max(peak, pending);
      }, 2);
      try {
        const outcomes = await provider.send(app, note({ body: 'x' }), targets);
        expect(outcomes.every((outcome) => outcome.status === 'delivered')).toBe(true);
      } finally {
        clearInterval(sampler);
      }
      expect(emulator.requests('apns')).toHaveLength(2000);
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(40);
    });

    it('closes every cached client; a later send connects again', async () => {
      const provider = providerWith();
      await provider.send(app, note({ body: 'x' }), [
        { token: token() },
        { token: token(), apnsEnvironment: 'development' },
      ]);
      await provider.close();
      const [outcome] = await provider.send(app, note({ body: 'x' }), [{ token: token() }]);
      expect(outcome.status).toBe('delivered');
    });
  });

  describe('checkPayload', () => {
    it('refuses a payload over 4096 bytes and accepts one at the limit', () => {
      const provider = providerWith();
      const base = Buffer.byteLength(JSON.stringify({ aps: { alert: { body: '' } } }));
      expect(provider.checkPayload(note({ body: 'x'.repeat(4096 - base) }))).toBeUndefined();
      expect(provider.checkPayload(note({ body: 'x'.repeat(5012 - base) }))).toBe(
        'Push message is too large for APNs: 5012 bytes, at most 4096',
      );
      // Multi-byte characters count as bytes.
      expect(provider.checkPayload(note({ body: 'é'.repeat(2100) }))).toMatch(
        /^Push message is too large for APNs/,
      );
    });
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
