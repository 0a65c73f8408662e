import { Logger } from '@nestjs/common';
import { createServer } from 'node:net';
import { loadConfig } from '../../src/common/config/app-config';
import { ProviderEmulator, RecordedRequest } from '../../src/emulator/provider-emulator';
import { HmsProvider } from '../../src/providers/hms/hms.provider';
import { DeviceTarget, ProviderApp, PushNotification } from '../../src/providers/push-provider';
import { ConnectProxy } from '../support/connect-proxy';

const HMS = {
  projectId: '101234567890',
  clientId: '108765432',
  clientSecret: 'hms-client-secret-0123456789',
};
const OTHER_HMS = {
  projectId: '109999999',
  clientId: '108000001',
  clientSecret: 'second-client-secret-abcdef',
};
const SEND_PATH = `/v2/${HMS.projectId}/messages:send`;
const BEARER = expect.stringMatching(/^Bearer CgB6e3x9\S+$/);

/** The notification defaults the original always sends. */
const NOTIFICATION_DEFAULTS = {
  default_sound: false,
  click_action: { type: 3 },
  body_loc_args: [],
  title_loc_args: [],
  auto_cancel: false,
  importance: 'HIGH',
  use_default_vibrate: false,
  use_default_light: false,
  foreground_show: false,
};

let emulator: ProviderEmulator;
let warn: jest.SpyInstance;
const providers: HmsProvider[] = [];

function app(overrides: Partial<ProviderApp> = {}): ProviderApp {
  return { appId: 'mobile-app', credentialsVersion: 'v1', hms: { ...HMS }, ...overrides };
}

function notification(overrides: Partial<PushNotification> = {}): PushNotification {
  return { content: { title: 'Hello', body: 'World' }, silent: false, priority: 'HIGH', ...overrides };
}

function targets(...tokens: string[]): DeviceTarget[] {
  return tokens.map((token) => ({ token }));
}

function createProvider(env: Record<string, string> = {}): HmsProvider {
  const provider = new HmsProvider(
    loadConfig({
      HMS_TOKEN_URL: emulator.hmsTokenUrl,
      HMS_PUSH_URL: emulator.hmsPushUrl,
      PROVIDER_CA_FILE: emulator.caFile,
      PROVIDER_TIMEOUT_MS: '3000',
      ...env,
    }),
  );
  providers.push(provider);
  return provider;
}

/** The one send request the emulator received. */
function onlySend(): RecordedRequest {
  const sends = emulator.requests('hms');
  expect(sends).toHaveLength(1);
  return sends[0];
}

/** A TCP port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  emulator = new ProviderEmulator();
  await emulator.start();
  emulator.registerHmsClient({ clientId: HMS.clientId, clientSecret: HMS.clientSecret });
  emulator.registerHmsClient({ clientId: OTHER_HMS.clientId, clientSecret: OTHER_HMS.clientSecret });
});

afterAll(async () => {
  await emulator.stop();
});

beforeEach(() => {
  emulator.reset();
  // Credential failures are logged as warnings; the tests read them instead of printing them.
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
});

afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.close()));
  jest.restoreAllMocks();
});

describe('HmsProvider requests', () => {
  it('fetches a client-credentials token and sends a plain notification', async () => {
    const provider = createProvider();
    const outcomes = await provider.send(app(), notification(), targets('plain-token-000001'));

    expect(outcomes).toEqual([{ status: 'delivered', providerMessageId: expect.stringMatching(/^\d+$/) }]);
    const [tokenRequest] = emulator.requests('hms-token');
    expect(tokenRequest).toMatchObject({ method: 'POST', path: '/oauth2/v3/token' });
    expect(tokenRequest.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(tokenRequest.body).toEqual({
      grant_type: 'client_credentials',
      client_id: HMS.clientId,
      client_secret: HMS.clientSecret,
    });
    const send = onlySend();
    expect(send).toMatchObject({ method: 'POST', path: SEND_PATH, outcome: 200 });
    expect(send.headers.authorization).toEqual(BEARER);
    expect(send.headers['content-type']).toMatch(/^application\/json/);
    expect(send.body).toEqual({
      validate_only: false,
      message: {
        token: ['plain-token-000001'],
        android: { notification: { ...NOTIFICATION_DEFAULTS, title: 'Hello', body: 'World' } },
      },
    });
  });

  it('sends a silent message without a notification', async () => {
    await createProvider().send(
      app(),
      notification({ silent: true, content: { title: 'x', sound: 'default', extras: { op: 'sync' } } }),
      targets('silent-token-0001'),
    );
    expect(onlySend().body).toEqual({
      validate_only: false,
      message: { token: ['silent-token-0001'], data: '{"op":"sync"}', android: {} },
    });
  });

  it('sends the localized fields, icon, sound, category, NORMAL importance and the badge', async () => {
    await createProvider().send(
      app(),
      notification({
        priority: 'NORMAL',
        content: {
          titleLocKey: 'balance.title',
          titleLocArgs: ['Alice'],
          bodyLocKey: 'balance.body',
          bodyLocArgs: ['745.00', 'USD'],
          icon: 'ic_balance',
          sound: 'chime',
          category: 'balance-update',
          badge: 3,
        },
      }),
      targets('localized-token-01'),
    );
    expect(onlySend().body).toEqual({
      validate_only: false,
      message: {
        token: ['localized-token-01'],
        android: {
          notification: {
            ...NOTIFICATION_DEFAULTS,
            importance: 'NORMAL',
            title_loc_key: 'balance.title',
            title_loc_args: ['Alice'],
            body_loc_key: 'balance.body',
            body_loc_args: ['745.00', 'USD'],
            icon: 'ic_balance',
            sound: 'chime',
            tag: 'balance-update',
            badge: { set_num: 3 },
          },
        },
      },
    });
  });

  it('sends a numeric collapse key as an integer, a TTL from validUntil and the extras as a JSON string', async () => {
    await createProvider().send(
      app(),
      notification({
        content: {
          body: 'Hi',
          collapseKey: '-1',
          validUntil: new Date(Date.now() + 3_600_900),
          extras: { _comment: 'Any custom data.', amount: 745, nested: { a: [1, 2] }, dropped: null },
        },
      }),
      targets('options-token-001'),
    );
    expect(onlySend().body).toEqual({
      validate_only: false,
      message: {
        token: ['options-token-001'],
        data: '{"_comment":"Any custom data.","amount":745,"nested":{"a":[1,2]}}',
        android: {
          collapse_key: -1,
          ttl: '3600',
          notification: { ...NOTIFICATION_DEFAULTS, body: 'Hi' },
        },
      },
    });
  });

  it('leaves out a non-numeric collapse key and a validUntil beyond 28 days (the original answered 500)', async () => {
    const outcomes = await createProvider().send(
      app(),
      notification({
        content: {
          body: 'Hi',
          collapseKey: 'balance-update',
          validUntil: new Date(Date.now() + 30 * 86_400_000),
        },
      }),
      targets('collapse-token-01'),
    );
    expect(outcomes[0].status).toBe('delivered');
    expect(onlySend().body).toEqual({
      validate_only: false,
      message: {
        token: ['collapse-token-01'],
        android: { notification: { ...NOTIFICATION_DEFAULTS, body: 'Hi' } },
      },
    });
  });

  it('groups 2500 targets into requests of 1000, 1000 and 500 tokens and keeps the outcome order', async () => {
    emulator.setBehaviour('hms', 'dead-', { kind: 'unregistered' });
    const tokens = Array.from({ length: 2500 }, (_, i) =>
      i === 1500 ? 'dead-token-1500' : `bulk-token-${String(i).padStart(5, '0')}`,
    );
    const outcomes = await createProvider().send(app(), notification(), targets(...tokens));

    const sends = emulator.requests('hms');
    const sizes = sends.map((send) => (send.body as { message: { token: string[] } }).message.token.length);
    expect(sizes.sort((a, b) => b - a)).toEqual([1000, 1000, 500]);
    const sentTokens = sends.flatMap((send) => (send.body as { message: { token: string[] } }).message.token);
    expect(new Set(sentTokens).size).toBe(2500);
    expect(emulator.requests('hms-token')).toHaveLength(1);
    expect(outcomes).toHaveLength(2500);
    expect(outcomes[1500]).toEqual({ status: 'invalid-token', reason: 'HMS 80100000 illegal token' });
    expect(outcomes.filter((outcome) => outcome.status === 'delivered')).toHaveLength(2499);
  });
});

describe('HmsProvider access tokens', () => {
  it('reuses one token for several sends, and concurrent first sends share one fetch', async () => {
    const provider = createProvider();
    await Promise.all(
      [1, 2, 3, 4].map((i) => provider.send(app(), notification(), targets(`cache-token-${i}`))),
    );
    await provider.send(app(), notification(), targets('cache-token-5'));

    expect(emulator.requests('hms-token')).toHaveLength(1);
    const authorizations = new Set(emulator.requests('hms').map((send) => send.headers.authorization));
    expect(emulator.requests('hms')).toHaveLength(5);
    expect(authorizations.size).toBe(1);
  });

  it('keeps one token per app and fetches a new one when the credentials version changes', async () => {
    const provider = createProvider();
    await provider.send(app(), notification(), targets('app-token-0001'));
    await provider.send(
      app({ appId: 'other-app', hms: { ...OTHER_HMS } }),
      notification(),
      targets('app-token-0002'),
    );
    await provider.send(app(), notification(), targets('app-token-0003'));
    await provider.send(app({ credentialsVersion: 'v2' }), notification(), targets('app-token-0004'));

    expect(
      emulator.requests('hms-token').map((request) => (request.body as { client_id: string }).client_id),
    ).toEqual([HMS.clientId, OTHER_HMS.clientId, HMS.clientId]);
    expect(emulator.requests('hms').map((send) => send.path)).toEqual([
      SEND_PATH,
      `/v2/${OTHER_HMS.projectId}/messages:send`,
      SEND_PATH,
      SEND_PATH,
    ]);
  });

  it('renews the token and repeats the request once on 80200003', async () => {
    emulator.setBehaviour('hms', 'expired-', { kind: 'hms-token-expired', times: 1 });
    const outcomes = await createProvider().send(app(), notification(), targets('expired-token-001'));

    expect(outcomes).toEqual([{ status: 'delivered', providerMessageId: expect.any(String) }]);
    expect(emulator.requests('hms-token')).toHaveLength(2);
    const sends = emulator.requests('hms');
    expect(sends.map((send) => send.outcome)).toEqual([401, 200]);
    expect(sends[0].body).toEqual(sends[1].body);
    expect(sends[1].headers.authorization).toEqual(BEARER);
    expect(sends[1].headers.authorization).not.toBe(sends[0].headers.authorization);
  });

  it('answers retryable when Push Kit still says 80200003 after the renewal', async () => {
    emulator.setBehaviour('hms', 'expired-', { kind: 'hms-token-expired', times: 5 });
    const outcomes = await createProvider().send(app(), notification(), targets('expired-token-001'));

    expect(outcomes).toEqual([
      { status: 'retryable', reason: 'HMS 80200003 OAuth token expired. (after renewing the access token)' },
    ]);
    expect(emulator.requests('hms')).toHaveLength(2);
    expect(emulator.requests('hms-token')).toHaveLength(2);
  });
});

describe('HmsProvider outcomes', () => {
  it('all tokens invalid (80300007)', async () => {
    emulator.setBehaviour('hms', 'dead-', { kind: 'unregistered' });
    const outcomes = await createProvider().send(
      app(),
      notification(),
      targets('dead-token-01', 'dead-token-02'),
    );
    expect(outcomes).toEqual([
      { status: 'invalid-token', reason: 'HMS 80300007 All the tokens are invalid' },
      { status: 'invalid-token', reason: 'HMS 80300007 All the tokens are invalid' },
    ]);
  });

  it('partial success (80100000): the illegal tokens are invalid, the others delivered', async () => {
    emulator.setBehaviour('hms', 'bad-', { kind: 'bad-token' });
    const outcomes = await createProvider().send(
      app(),
      notification(),
      targets('good-token-001', 'bad-token-0001', 'good-token-002'),
    );
    const requestId = expect.stringMatching(/^\d+$/);
    expect(outcomes).toEqual([
      { status: 'delivered', providerMessageId: requestId },
      { status: 'invalid-token', reason: 'HMS 80100000 illegal token' },
      { status: 'delivered', providerMessageId: requestId },
    ]);
  });

  it('80200001 is a credential failure', async () => {
    emulator.setBehaviour('hms', 'cred-', { kind: 'credential-error' });
    const outcomes = await createProvider().send(app(), notification(), targets('cred-token-0001'));
    expect(outcomes).toEqual([
      { status: 'failed', reason: 'HMS 80200001 Oauth authentication error', credentialsFailing: true },
    ]);
  });

  it('a token endpoint rejection is a credential failure that names neither the secret nor a token', async () => {
    const outcomes = await createProvider().send(
      app({ hms: { ...HMS, clientSecret: 'wrong-secret-value-123' } }),
      notification(),
      targets('rejected-token-000001'),
    );
    expect(outcomes).toEqual([
      {
        status: 'failed',
        reason: 'HMS token request answered HTTP 400 invalid client',
        credentialsFailing: true,
      },
    ]);
    expect(emulator.requests('hms')).toHaveLength(0);
    const logged = JSON.stringify(warn.mock.calls);
    expect(logged).toContain('mobile-app');
    expect(logged).not.toContain('wrong-secret-value-123');
    expect(logged).not.toContain('rejected-token-000001');
  });

  it('rate limiting is retryable with the Retry-After delay', async () => {
    emulator.setBehaviour('hms', 'limited-', { kind: 'rate-limit', retryAfterSeconds: 3 });
    const outcomes = await createProvider().send(app(), notification(), targets('limited-token-01'));
    expect(outcomes).toEqual([
      { status: 'retryable', reason: 'HMS 81000001 Flow control', retryAfterMs: 3000 },
    ]);
  });

  it('unavailability is retryable', async () => {
    emulator.setBehaviour('hms', 'down-', { kind: 'unavailable' });
    const outcomes = await createProvider().send(app(), notification(), targets('down-token-0001'));
    expect(outcomes).toEqual([{ status: 'retryable', reason: 'HMS 81000001 System inner error' }]);
  });

  it('a timeout is retryable', async () => {
    emulator.setBehaviour('hms', 'slow-', { kind: 'slow', delayMs: 2000 });
    const outcomes = await createProvider({ PROVIDER_TIMEOUT_MS: '300' }).send(
      app(),
      notification(),
      targets('slow-token-0001'),
    );
    expect(outcomes).toEqual([{ status: 'retryable', reason: 'HMS send request timed out after 300 ms' }]);
  });

  it('a connection error (closed port) is retryable, for the token and the send request', async () => {
    const port = await closedPort();
    const sendDown = await createProvider({ HMS_PUSH_URL: `https://127.0.0.1:${port}` }).send(
      app(),
      notification(),
      targets('refused-token-001'),
    );
    expect(sendDown).toEqual([
      { status: 'retryable', reason: expect.stringMatching(/^HMS send request failed: .*ECONNREFUSED/) },
    ]);
    const tokenDown = await createProvider({
      HMS_TOKEN_URL: `https://127.0.0.1:${port}/oauth2/v3/token`,
    }).send(app(), notification(), targets('refused-token-002'));
    expect(tokenDown).toEqual([
      { status: 'retryable', reason: expect.stringMatching(/^HMS token request failed: .*ECONNREFUSED/) },
    ]);
    expect(JSON.stringify([...sendDown, ...tokenDown])).not.toContain(HMS.clientSecret);
  });

  it('an app without HMS credentials fails as a configuration problem, without any request', async () => {
    const outcomes = await createProvider().send(
      app({ hms: undefined }),
      notification(),
      targets('no-hms-token-01', 'no-hms-token-02'),
    );
    const outcome = {
      status: 'failed',
      reason: 'HMS is not configured for this app',
      credentialsFailing: true,
    };
    expect(outcomes).toEqual([outcome, outcome]);
    expect(emulator.requests()).toHaveLength(0);
  });

  it('bounds the requests in flight by SEND_CONCURRENCY_HMS', async () => {
    emulator.setBehaviour('hms', 'queued-', { kind: 'slow', delayMs: 200 });
    const tokens = Array.from({ length: 4000 }, (_, i) => `queued-token-${i}`);
    const started = Date.now();
    const outcomes = await createProvider({ SEND_CONCURRENCY_HMS: '2' }).send(
      app(),
      notification(),
      targets(...tokens),
    );
    // Four requests of 200 ms, two at a time: two rounds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(outcomes.every((outcome) => outcome.status === 'delivered')).toBe(true);
    expect(emulator.requests('hms')).toHaveLength(4);
  });
});

describe('HmsProvider checkPayload', () => {
  it('accepts a normal message and rejects one over 4096 bytes', () => {
    const provider = createProvider();
    expect(provider.checkPayload(notification())).toBeUndefined();
    const reason = provider.checkPayload(notification({ content: { body: 'x'.repeat(4100) } }));
    expect(reason).toMatch(/^Push message is too large for HMS: \d+ bytes, at most 4096$/);
  });

  it('rejects extras JSON cannot express', () => {
    const reason = createProvider().checkPayload(notification({ content: { extras: { big: BigInt(1) } } }));
    expect(reason).toMatch(/^Push message cannot be serialized for HMS: /);
  });

  it('draws the line at 4096 bytes where Push Kit does; 80300008 (too large) is a final failure', async () => {
    const provider = createProvider();
    const withBody = (length: number) => notification({ content: { body: 'x'.repeat(length) } });
    const overhead = Number(/: (\d+) bytes/.exec(provider.checkPayload(withBody(5000))!)![1]) - 5000;
    const largest = 4096 - overhead;
    expect(provider.checkPayload(withBody(largest))).toBeUndefined();
    expect(provider.checkPayload(withBody(largest + 1))).toBe(
      'Push message is too large for HMS: 4097 bytes, at most 4096',
    );

    // Many long tokens do not count, for the check or for Push Kit.
    const tokens = Array.from({ length: 50 }, (_, i) => `size-token-${i}-${'t'.repeat(150)}`);
    const fits = await provider.send(app(), withBody(largest), targets(...tokens));
    expect(fits.every((outcome) => outcome.status === 'delivered')).toBe(true);
    const tooLarge = await provider.send(app(), withBody(largest + 1), targets('size-token-x'));
    expect(tooLarge).toEqual([
      { status: 'failed', reason: 'HMS 80300008 The message body size exceeds the default value' },
    ]);
  });
});

describe('HmsProvider through an HTTP CONNECT proxy', () => {
  let proxy: ConnectProxy;
  let proxyUrl: string;

  beforeEach(async () => {
    proxy = new ConnectProxy();
    proxyUrl = await proxy.start();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close()));
    await proxy.stop();
  });

  it('tunnels the token and the send request', async () => {
    // Two host names for the one emulator, so each request needs a tunnel of its own.
    const outcomes = await createProvider({
      HMS_PROXY_URL: proxyUrl,
      HMS_PUSH_URL: `https://localhost:${emulator.port}`,
    }).send(app(), notification(), targets('proxied-token-01'));
    expect(outcomes).toEqual([{ status: 'delivered', providerMessageId: expect.any(String) }]);
    expect(emulator.requests('hms-token')).toHaveLength(1);
    expect(emulator.requests('hms')).toHaveLength(1);
    expect(proxy.tunnels.map((tunnel) => tunnel.target)).toEqual([
      `127.0.0.1:${emulator.port}`,
      `localhost:${emulator.port}`,
    ]);
  });

  it('sends proxy credentials from the URL, and a refused tunnel is retryable', async () => {
    proxy.requiredAuthorization = `Basic ${Buffer.from('proxy-user:p@ss').toString('base64')}`;
    const withAuth = new URL(proxyUrl);
    withAuth.username = 'proxy-user';
    withAuth.password = 'p%40ss';
    const delivered = await createProvider({ HMS_PROXY_URL: withAuth.toString() }).send(
      app(),
      notification(),
      targets('proxied-token-02'),
    );
    expect(delivered[0].status).toBe('delivered');

    const refused = await createProvider({ HMS_PROXY_URL: proxyUrl }).send(
      app(),
      notification(),
      targets('proxied-token-03'),
    );
    expect(refused).toEqual([
      { status: 'retryable', reason: 'HMS token request failed: proxy refused the tunnel: HTTP 407' },
    ]);
  });
});
