import { createPublicKey, createSign, verify } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { createServer, IncomingMessage, Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AddressInfo, createServer as createTcpServer } from 'node:net';
import { loadConfig } from '../../src/common/config/app-config';
import { CredentialStore } from '../../src/emulator/credential-store';
import { ProviderEmulator, RecordedRequest } from '../../src/emulator/provider-emulator';
import { FcmProvider } from '../../src/providers/fcm/fcm.provider';
import {
  DeliveryOutcome,
  ProviderApp,
  PushContent,
  PushNotification,
  ServiceAccount,
} from '../../src/providers/push-provider';
import { ConnectProxy } from '../support/connect-proxy';
import { fcmServiceAccountJson } from '../support/credentials';

const PROJECT = 'test-project';
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const MESSAGE_NAME = /^projects\/test-project\/messages\/.+$/;

function notification(content: PushContent, extra: Partial<PushNotification> = {}): PushNotification {
  return { content, silent: false, priority: 'HIGH', ...extra };
}

function decodeJwt(jwt: string) {
  const [header, claims, signature] = jwt.split('.');
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: json(header), claims: json(claims), signingInput: `${header}.${claims}`, signature };
}

/** An unused local port: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A token endpoint under the test's control, serving the service account's token_uri over plain HTTP. */
class TokenEndpointStub {
  calls = 0;
  private server?: Server;

  constructor(private readonly answer: (call: number) => Promise<{ status: number; body: unknown }>) {}

  async start(): Promise<string> {
    this.server = createServer((request: IncomingMessage, response) => {
      request.resume();
      request.on('end', async () => {
        const { status, body } = await this.answer(++this.calls);
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('FcmProvider against the provider emulator', () => {
  let emulator: ProviderEmulator;
  let serviceAccount: ServiceAccount;
  let app: ProviderApp;
  let providers: FcmProvider[] = [];

  const makeProvider = (env: Record<string, string> = {}) => {
    const provider = new FcmProvider(
      loadConfig({ FCM_URL: emulator.fcmUrl, PROVIDER_CA_FILE: emulator.caFile, ...env }),
    );
    providers.push(provider);
    return provider;
  };
  const appWith = (account: Partial<ServiceAccount>, credentialsVersion = 'v1'): ProviderApp => ({
    appId: 'mobile-app',
    credentialsVersion,
    fcm: { projectId: PROJECT, serviceAccount: { ...serviceAccount, ...account } },
  });
  const fcmRequests = () => emulator.requests('fcm');
  const lastFcmRequest = (): RecordedRequest => fcmRequests().at(-1)!;

  /** A token from the emulator for this service account, fetched the way Google's libraries do. */
  const fetchTokenFromEmulator = () =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const iat = Math.floor(Date.now() / 1000);
      const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const input = `${segment({ alg: 'RS256', typ: 'JWT' })}.${segment({
        iss: serviceAccount.client_email,
        scope: FCM_SCOPE,
        aud: emulator.fcmTokenUrl,
        iat,
        exp: iat + 3600,
      })}`;
      const signature = createSign('RSA-SHA256').update(input).sign(serviceAccount.private_key, 'base64url');
      const form = new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: `${input}.${signature}`,
      }).toString();
      const request = httpsRequest(
        emulator.fcmTokenUrl,
        {
          method: 'POST',
          ca: emulator.caPem,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }),
          );
        },
      );
      request.on('error', reject);
      request.end(form);
    });

  /** What the adapter logged: checked for secrets, and kept out of the test output. */
  const logs: string[] = [];

  beforeAll(async () => {
    const record = (message: unknown) => void logs.push(String(message));
    Logger.overrideLogger({ log: record, error: record, warn: record, debug: record, verbose: record });
    emulator = new ProviderEmulator();
    await emulator.start();
    serviceAccount = JSON.parse(fcmServiceAccountJson({ token_uri: emulator.fcmTokenUrl }));
    emulator.registerFcmServiceAccount({
      clientEmail: serviceAccount.client_email,
      privateKeyPem: serviceAccount.private_key,
      projectId: PROJECT,
    });
    app = appWith({});
  });

  afterEach(async () => {
    // Neither access tokens nor the private key ever reach the logs.
    expect(logs.join('\n')).not.toMatch(/ya29\.|PRIVATE KEY|Bearer/);
    logs.length = 0;
    jest.restoreAllMocks();
    await Promise.all(providers.map((provider) => provider.close()));
    providers = [];
    emulator.reset();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  describe('requests', () => {
    it('fetches an access token with a signed RS256 assertion and sends over HTTP/2 with it', async () => {
      const issued = jest.spyOn(CredentialStore.prototype, 'issueFcmToken');
      const provider = makeProvider();
      const outcomes = await provider.send(app, notification({ title: 'Hello', body: 'World' }), [
        { token: 'device-1' },
      ]);

      expect(outcomes).toEqual([
        { status: 'delivered', providerMessageId: expect.stringMatching(MESSAGE_NAME) },
      ]);

      const [tokenRequest] = emulator.requests('fcm-token');
      expect(tokenRequest).toMatchObject({ method: 'POST', path: '/fcm/token', outcome: 200 });
      expect(tokenRequest.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const form = tokenRequest.body as Record<string, string>;
      expect(Object.keys(form).sort()).toEqual(['assertion', 'grant_type']);
      expect(form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      const jwt = decodeJwt(form.assertion);
      expect(jwt.header).toEqual({ alg: 'RS256', typ: 'JWT' });
      expect(jwt.claims).toEqual({
        iss: serviceAccount.client_email,
        scope: FCM_SCOPE,
        aud: emulator.fcmTokenUrl,
        iat: expect.any(Number),
        exp: jwt.claims.iat + 3600,
      });
      expect(Math.abs(jwt.claims.iat - Date.now() / 1000)).toBeLessThan(5);
      const publicKey = createPublicKey(serviceAccount.private_key);
      const signature = Buffer.from(jwt.signature, 'base64url');
      expect(verify('sha256', Buffer.from(jwt.signingInput), publicKey, signature)).toBe(true);

      const send = lastFcmRequest();
      expect(send).toMatchObject({
        method: 'POST',
        path: `/v1/projects/${PROJECT}/messages:send`,
        httpVersion: '2.0',
        outcome: 200,
      });
      expect(issued).toHaveReturnedTimes(1);
      expect(send.headers.authorization).toBe(`Bearer ${issued.mock.results[0].value}`);
      expect(send.headers['content-type']).toBe('application/json; charset=UTF-8');
      expect(send.body).toEqual({
        message: {
          token: 'device-1',
          android: {
            notification: { title: 'Hello', body: 'World', notification_priority: 'PRIORITY_HIGH' },
          },
          apns: {
            headers: { 'apns-priority': '10', 'apns-push-type': 'alert' },
            payload: { aps: { alert: { title: 'Hello', body: 'World' } } },
          },
        },
      });
    });

    it('sends a silent message as data only, with a background APNs push', async () => {
      await makeProvider().send(
        app,
        notification(
          { title: 'ignored', sound: 'default', badge: 1, collapseKey: 'sync', extras: { op: 'sync' } },
          { silent: true },
        ),
        [{ token: 'device-1' }],
      );
      expect(lastFcmRequest().body).toEqual({
        message: {
          token: 'device-1',
          data: { op: 'sync' },
          android: { collapse_key: 'sync' },
          apns: {
            headers: { 'apns-priority': '5', 'apns-push-type': 'background' },
            payload: { aps: { op: 'sync', badge: 1, 'content-available': 1, 'thread-id': 'sync' } },
          },
        },
      });
    });

    it('sends localized texts, badge, sound, icon, category, collapse key and NORMAL priority', async () => {
      await makeProvider().send(
        app,
        notification(
          {
            titleLocKey: 'balance.title',
            titleLocArgs: ['Anna'],
            bodyLocKey: 'balance.body',
            bodyLocArgs: [],
            badge: 7,
            sound: 'chime',
            icon: 'ic_bank',
            category: 'balance-update',
            collapseKey: 'balance',
          },
          { priority: 'NORMAL' },
        ),
        [{ token: 'device-1' }],
      );
      expect(lastFcmRequest().body).toEqual({
        message: {
          token: 'device-1',
          android: {
            collapse_key: 'balance',
            notification: {
              title_loc_key: 'balance.title',
              title_loc_args: ['Anna'],
              body_loc_key: 'balance.body',
              icon: 'ic_bank',
              sound: 'chime',
              tag: 'balance-update',
              notification_priority: 'PRIORITY_DEFAULT',
              notification_count: 7,
            },
          },
          apns: {
            headers: { 'apns-priority': '5', 'apns-push-type': 'alert' },
            payload: {
              aps: {
                alert: {
                  'title-loc-key': 'balance.title',
                  'title-loc-args': ['Anna'],
                  'loc-key': 'balance.body',
                },
                sound: 'chime',
                category: 'balance-update',
                badge: 7,
                'thread-id': 'balance',
              },
            },
          },
        },
      });
    });

    it('sets android.ttl to the real seconds until validUntil', async () => {
      const validUntil = new Date(Date.now() + 3_600_500);
      await makeProvider().send(app, notification({ title: 'T', validUntil }), [{ token: 'device-1' }]);
      const body = lastFcmRequest().body as { message: { android: { ttl: string } } };
      expect(body.message.android.ttl).toMatch(/^(3599|3600|3601)s$/);
    });

    it('sends extras as string data values and inside aps, without nulls', async () => {
      const outcomes = await makeProvider().send(
        app,
        notification({
          body: 'B',
          extras: { text: 'x', amount: 745.5, count: 3, urgent: false, meta: { a: [1, 'b'] }, gone: null },
        }),
        [{ token: 'device-1' }],
      );
      expect(outcomes[0].status).toBe('delivered');
      const data = { text: 'x', amount: '745.5', count: '3', urgent: 'false', meta: '{"a":[1,"b"]}' };
      expect(lastFcmRequest().body).toEqual({
        message: {
          token: 'device-1',
          data,
          android: { notification: { body: 'B', notification_priority: 'PRIORITY_HIGH' } },
          apns: {
            headers: { 'apns-priority': '10', 'apns-push-type': 'alert' },
            payload: { aps: { ...data, alert: { body: 'B' } } },
          },
        },
      });
    });

    it('puts the notification into data._notification in data-only mode', async () => {
      await makeProvider({ FCM_DATA_NOTIFICATION_ONLY: 'true' }).send(
        app,
        notification({ title: 'T', body: 'B', badge: 2, extras: { k: 'v' } }),
        [{ token: 'device-1' }],
      );
      expect(lastFcmRequest().body).toEqual({
        message: {
          token: 'device-1',
          data: {
            k: 'v',
            _notification: JSON.stringify({
              title: 'T',
              body: 'B',
              notification_priority: 'PRIORITY_HIGH',
              notification_count: 2,
            }),
          },
          apns: {
            headers: { 'apns-priority': '10', 'apns-push-type': 'alert' },
            payload: { aps: { k: 'v', alert: { title: 'T', body: 'B' }, badge: 2 } },
          },
        },
      });
    });

    it('refuses a payload over 4096 bytes', () => {
      const provider = makeProvider();
      expect(provider.checkPayload(notification({ title: 'T', extras: { blob: 'x'.repeat(4000) } }))).toBe(
        undefined,
      );
      expect(provider.checkPayload(notification({ title: 'T', extras: { blob: 'x'.repeat(4100) } }))).toMatch(
        /^Push message is too large for FCM: \d+ bytes, at most 4096$/,
      );
    });
  });

  describe('access tokens', () => {
    it('fetches the token once for many sends, and again after it expires', async () => {
      const provider = makeProvider();
      const targets = Array.from({ length: 20 }, (_, i) => ({ token: `device-${i}` }));
      await provider.send(app, notification({ title: 'T' }), targets);
      await provider.send(app, notification({ title: 'T' }), targets.slice(0, 3));
      expect(emulator.requests('fcm-token')).toHaveLength(1);
      const firstToken = fcmRequests()[0].headers.authorization;
      expect(new Set(fcmRequests().map((request) => request.headers.authorization))).toEqual(
        new Set([firstToken]),
      );

      // An hour later (for the emulator too) the cached token has expired.
      const realNow = Date.now.bind(Date);
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 3_600_000);
      const outcomes = await provider.send(app, notification({ title: 'T' }), [{ token: 'device-1' }]);
      expect(outcomes[0].status).toBe('delivered');
      expect(emulator.requests('fcm-token')).toHaveLength(2);
      expect(lastFcmRequest().headers.authorization).not.toBe(firstToken);
    });

    it('drops a token the provider answers 401 for, and sends again with a new one', async () => {
      const stub = new TokenEndpointStub(async (call) =>
        call === 1
          ? { status: 200, body: { access_token: 'ya29.revoked', expires_in: 3599, token_type: 'Bearer' } }
          : fetchTokenFromEmulator(),
      );
      const tokenUri = await stub.start();
      try {
        const provider = makeProvider();
        const outcomes = await provider.send(appWith({ token_uri: tokenUri }), notification({ title: 'T' }), [
          { token: 'device-1' },
          { token: 'device-2' },
        ]);
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['delivered', 'delivered']);
        // Both 401s invalidated the same token: one new fetch.
        expect(stub.calls).toBe(2);
        const authorizations = fcmRequests().map((request) => [
          request.headers.authorization,
          request.outcome,
        ]);
        expect(authorizations.filter(([, outcome]) => outcome === 401)).toEqual([
          ['Bearer ya29.revoked', 401],
          ['Bearer ya29.revoked', 401],
        ]);
        expect(authorizations.filter(([, outcome]) => outcome === 200)).toHaveLength(2);
      } finally {
        await stub.stop();
      }
    });

    it('reports a token that keeps being refused as failing credentials', async () => {
      const stub = new TokenEndpointStub(async () => ({
        status: 200,
        body: { access_token: 'ya29.not-issued-here', expires_in: 3599 },
      }));
      const tokenUri = await stub.start();
      try {
        const outcomes = await makeProvider().send(
          appWith({ token_uri: tokenUri }),
          notification({ title: 'T' }),
          [{ token: 'device-1' }],
        );
        expect(outcomes).toEqual([
          { status: 'failed', reason: 'FCM 401 UNAUTHENTICATED', credentialsFailing: true },
        ]);
        expect(stub.calls).toBe(2);
        expect(fcmRequests()).toHaveLength(2);
      } finally {
        await stub.stop();
      }
    });

    it('reports a refused service account as failing credentials, a broken token endpoint as retryable', async () => {
      const provider = makeProvider();
      const unknownAccount = appWith({ client_email: 'stranger@test-project.iam.gserviceaccount.com' }, 'v2');
      expect(
        await provider.send(unknownAccount, notification({ title: 'T' }), [{ token: 'device-1' }]),
      ).toEqual([
        { status: 'failed', reason: 'FCM token endpoint 400 invalid_grant', credentialsFailing: true },
      ]);
      expect(fcmRequests()).toHaveLength(0);

      const stub = new TokenEndpointStub(async () => ({ status: 503, body: { error: 'backend_error' } }));
      const tokenUri = await stub.start();
      try {
        const outcomes = await provider.send(
          appWith({ token_uri: tokenUri }, 'v3'),
          notification({ title: 'T' }),
          [{ token: 'device-1' }, { token: 'device-2' }],
        );
        expect(outcomes).toEqual([
          { status: 'retryable', reason: 'FCM token endpoint 503 backend_error' },
          { status: 'retryable', reason: 'FCM token endpoint 503 backend_error' },
        ]);
        // Concurrent callers share one fetch, and the failure is remembered for a moment.
        expect(stub.calls).toBe(1);
        const again = await provider.send(
          appWith({ token_uri: tokenUri }, 'v3'),
          notification({ title: 'T' }),
          [{ token: 'device-3' }],
        );
        expect(again[0].status).toBe('retryable');
        expect(stub.calls).toBe(1);
      } finally {
        await stub.stop();
      }

      const unreachable = appWith({ token_uri: `http://127.0.0.1:${await closedPort()}/token` }, 'v4');
      expect(await provider.send(unreachable, notification({ title: 'T' }), [{ token: 'device-1' }])).toEqual(
        [{ status: 'retryable', reason: 'FCM token endpoint unreachable: ECONNREFUSED' }],
      );
    });

    it('rebuilds the client when the credentials version changes', async () => {
      const provider = makeProvider();
      await provider.send(appWith({}, 'v1'), notification({ title: 'T' }), [{ token: 'device-1' }]);
      await provider.send(appWith({}, 'v1'), notification({ title: 'T' }), [{ token: 'device-1' }]);
      expect(emulator.requests('fcm-token')).toHaveLength(1);
      await provider.send(appWith({}, 'v2'), notification({ title: 'T' }), [{ token: 'device-1' }]);
      expect(emulator.requests('fcm-token')).toHaveLength(2);
    });
  });

  describe('outcomes', () => {
    it('classifies every kind of FCM answer, one outcome per target in order', async () => {
      emulator.setBehaviour('fcm', 'gone-', { kind: 'unregistered' });
      emulator.setBehaviour('fcm', 'bad-', { kind: 'bad-token' });
      emulator.setBehaviour('fcm', 'limited-', { kind: 'rate-limit', retryAfterSeconds: 7 });
      emulator.setBehaviour('fcm', 'down-', { kind: 'unavailable' });
      emulator.setBehaviour('fcm', 'other-sender-', { kind: 'credential-error' });
      const outcomes = await makeProvider().send(app, notification({ title: 'T' }), [
        { token: 'ok-1' },
        { token: 'gone-1' },
        { token: 'bad-1' },
        { token: 'limited-1' },
        { token: 'down-1' },
        { token: 'other-sender-1' },
        { token: 'ok-2' },
      ]);
      expect(outcomes).toEqual<DeliveryOutcome[]>([
        { status: 'delivered', providerMessageId: expect.stringMatching(MESSAGE_NAME) },
        { status: 'invalid-token', reason: 'FCM 404 UNREGISTERED' },
        { status: 'invalid-token', reason: 'FCM 400 INVALID_ARGUMENT' },
        { status: 'retryable', reason: 'FCM 429 QUOTA_EXCEEDED', retryAfterMs: 7000 },
        { status: 'retryable', reason: 'FCM 503 UNAVAILABLE' },
        { status: 'failed', reason: 'FCM 403 SENDER_ID_MISMATCH', credentialsFailing: true },
        { status: 'delivered', providerMessageId: expect.stringMatching(MESSAGE_NAME) },
      ]);
      // Reasons and logs never carry a whole push token.
      const tokens = ['gone-1', 'bad-1', 'limited-1', 'down-1', 'other-sender-1'];
      const reasons = outcomes.map((outcome) => ('reason' in outcome ? outcome.reason : '')).join('\n');
      for (const token of tokens) expect(`${reasons}\n${logs.join('\n')}`).not.toContain(token);
      expect(logs.join('\n')).toContain('…nder-1: failed (FCM 403 SENDER_ID_MISMATCH)');
    });

    it('sends to the project of the app: another project is a sender mismatch', async () => {
      const otherProject: ProviderApp = { ...app, fcm: { ...app.fcm!, projectId: 'other-project' } };
      expect(
        await makeProvider().send(otherProject, notification({ title: 'T' }), [{ token: 'device-1' }]),
      ).toEqual([{ status: 'failed', reason: 'FCM 403 SENDER_ID_MISMATCH', credentialsFailing: true }]);
      expect(lastFcmRequest().path).toBe('/v1/projects/other-project/messages:send');
    });

    it('succeeds on a later attempt after temporary failures', async () => {
      emulator.setBehaviour('fcm', 'flaky-', { kind: 'fail-times', times: 1, with: 'unavailable' });
      const provider = makeProvider();
      const first = await provider.send(app, notification({ title: 'T' }), [{ token: 'flaky-1' }]);
      expect(first[0].status).toBe('retryable');
      const second = await provider.send(app, notification({ title: 'T' }), [{ token: 'flaky-1' }]);
      expect(second[0].status).toBe('delivered');
    });

    it('turns timeouts and refused connections into retryable outcomes', async () => {
      emulator.setBehaviour('fcm', 'slow-', { kind: 'slow', delayMs: 1500 });
      const outcomes = await makeProvider({ PROVIDER_TIMEOUT_MS: '300' }).send(
        app,
        notification({ title: 'T' }),
        [{ token: 'slow-1' }, { token: 'fast-1' }],
      );
      expect(outcomes).toEqual([
        { status: 'retryable', reason: 'FCM request timed out' },
        { status: 'delivered', providerMessageId: expect.stringMatching(MESSAGE_NAME) },
      ]);

      const refused = makeProvider({ FCM_URL: `https://127.0.0.1:${await closedPort()}` });
      expect(await refused.send(app, notification({ title: 'T' }), [{ token: 'a' }, { token: 'b' }])).toEqual(
        [
          { status: 'retryable', reason: 'FCM ECONNREFUSED' },
          { status: 'retryable', reason: 'FCM ECONNREFUSED' },
        ],
      );
    });

    it('fails every target of an app without FCM credentials', async () => {
      const outcomes = await makeProvider().send({ appId: 'a', credentialsVersion: '1' }, notification({}), [
        { token: 'x' },
        { token: 'y' },
      ]);
      expect(outcomes).toEqual([
        { status: 'failed', reason: 'FCM is not configured for this app', credentialsFailing: true },
        { status: 'failed', reason: 'FCM is not configured for this app', credentialsFailing: true },
      ]);
    });
  });

  describe('connections', () => {
    it('keeps at most maxStreamsPerConnection requests in flight on one connection', async () => {
      const delayMs = 30;
      emulator.setBehaviour('fcm', '', { kind: 'slow', delayMs });
      const provider = makeProvider({ FCM_MAX_CONNECTIONS: '1', FCM_MAX_STREAMS_PER_CONNECTION: '10' });
      let maxPending = 0;
      const sampler = setInterval(() => {
        const pending = fcmRequests().filter((request) => request.outcome === 0).length;
        maxPending = Math.max(maxPending, pending);
      }, 2);
      const targets = Array.from({ length: 300 }, (_, i) => ({ token: `burst-${i}` }));
      const outcomes = await provider
        .send(app, notification({ title: 'T' }), targets)
        .finally(() => clearInterval(sampler));

      expect(outcomes.every((outcome) => outcome.status === 'delivered')).toBe(true);
      expect(fcmRequests()).toHaveLength(300);
      expect(maxPending).toBeLessThanOrEqual(10);
      expect(maxPending).toBeGreaterThanOrEqual(5);
      // The same from the arrival times: never more than 10 requests within one answer delay.
      const arrivals = fcmRequests().map((request) => request.receivedAt);
      const busiest = Math.max(
        ...arrivals.map((at) => arrivals.filter((other) => other > at - delayMs + 2 && other <= at).length),
      );
      expect(busiest).toBeLessThanOrEqual(10);
    });

    it('goes through an HTTP CONNECT proxy for the token and the sends', async () => {
      const proxy = new ConnectProxy();
      const proxyUrl = await proxy.start();
      try {
        const outcomes = await makeProvider({ FCM_PROXY_URL: proxyUrl }).send(
          app,
          notification({ title: 'T' }),
          [{ token: 'device-1' }, { token: 'device-2' }],
        );
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['delivered', 'delivered']);
        const target = new URL(emulator.fcmUrl).host;
        // One tunnel for the token request, one for the HTTP/2 session.
        expect(proxy.tunnels).toEqual([
          { target, proxyAuthorization: undefined },
          { target, proxyAuthorization: undefined },
        ]);
        expect(emulator.requests('fcm-token')).toHaveLength(1);
        expect(fcmRequests().map((request) => request.httpVersion)).toEqual(['2.0', '2.0']);
      } finally {
        await Promise.all(providers.map((provider) => provider.close()));
        await proxy.stop();
      }
    });

    it('closes its HTTP/2 sessions on close()', async () => {
      const provider = makeProvider();
      await provider.send(app, notification({ title: 'T' }), [{ token: 'device-1' }]);
      await provider.close();
      // A send after close opens a new pool.
      const outcomes = await provider.send(app, notification({ title: 'T' }), [{ token: 'device-1' }]);
      expect(outcomes[0].status).toBe('delivered');
    });
  });
});
