import axios, { AxiosInstance } from 'axios';
import { createPrivateKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http2, { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2';
import https from 'node:https';
import { ProviderEmulator } from '../../src/emulator/provider-emulator';

const TEAM_ID = 'TEAM123456';
const KEY_ID = 'KEY1234567';
const TOPIC = 'com.example.app';
const FCM_EMAIL = 'push@project-a.iam.gserviceaccount.com';
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const HMS_CLIENT = { clientId: '101234567', clientSecret: 'hms-secret' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();
const apnsKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const otherApnsKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const fcmKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherFcmKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWS signed by hand: ES256 as raw r||s (what Apple expects), RS256 as PKCS#1 v1.5. */
function jwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  const signature =
    header.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

function apnsJwt(overrides: { kid?: string; iss?: string; iat?: number; key?: KeyObject } = {}): string {
  return jwt(
    { alg: 'ES256', kid: overrides.kid ?? KEY_ID },
    { iss: overrides.iss ?? TEAM_ID, iat: overrides.iat ?? nowSeconds() },
    overrides.key ?? apnsKey.privateKey,
  );
}

interface H2Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  json: any;
}

function h2Request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: string,
): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ...headers });
    let responseHeaders: Record<string, unknown> = {};
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (received) => (responseHeaders = received));
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () =>
      resolve({
        status: Number(responseHeaders[':status']),
        headers: responseHeaders,
        text,
        json: text ? JSON.parse(text) : undefined,
      }),
    );
    stream.on('error', reject);
    stream.end(body);
  });
}

describe('ProviderEmulator', () => {
  const emulator = new ProviderEmulator();
  let apns: ClientHttp2Session;
  let http: AxiosInstance;
  let apnsToken: string;

  beforeAll(async () => {
    await emulator.start();
    emulator.registerApnsKey({ keyId: KEY_ID, teamId: TEAM_ID, privateKeyPem: pem(apnsKey.privateKey) });
    emulator.registerFcmServiceAccount({
      clientEmail: FCM_EMAIL,
      projectId: 'project-a',
      publicKeyPem: fcmKey.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    emulator.registerFcmServiceAccount({
      clientEmail: 'push@project-b.iam.gserviceaccount.com',
      projectId: 'project-b',
      privateKeyPem: pem(otherFcmKey.privateKey),
    });
    emulator.registerHmsClient(HMS_CLIENT);
    apns = http2.connect(emulator.apnsUrl, { ca: emulator.caPem });
    http = axios.create({
      baseURL: emulator.baseUrl,
      httpsAgent: new https.Agent({ ca: emulator.caPem, keepAlive: true }),
      validateStatus: () => true,
    });
    apnsToken = apnsJwt();
  });

  afterEach(() => emulator.reset());

  afterAll(async () => {
    apns.close();
    await emulator.stop();
  });

  const sendApns = (
    token: string,
    headers: OutgoingHttpHeaders = {},
    body: string | undefined = JSON.stringify({ aps: { alert: 'Hello' } }),
  ) =>
    h2Request(
      apns,
      {
        ':path': `/3/device/${token}`,
        authorization: `bearer ${apnsToken}`,
        'apns-topic': TOPIC,
        ...headers,
      },
      body,
    );

  describe('endpoints', () => {
    it('exposes the provider URLs and writes the certificate to caFile', () => {
      expect(emulator.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.apnsUrl).toBe(emulator.baseUrl);
      expect(emulator.fcmUrl).toBe(emulator.baseUrl);
      expect(emulator.hmsPushUrl).toBe(emulator.baseUrl);
      expect(emulator.fcmTokenUrl).toBe(`${emulator.baseUrl}/fcm/token`);
      expect(emulator.hmsTokenUrl).toBe(`${emulator.baseUrl}/oauth2/v3/token`);
      expect(emulator.caPem).toContain('BEGIN CERTIFICATE');
      expect(readFileSync(emulator.caFile, 'utf8')).toBe(emulator.caPem);
    });

    it('makes a certificate of its own subject for localhost and 127.0.0.1', () => {
      const certificate = new X509Certificate(emulator.caPem);
      expect(certificate.subject).toMatch(/^CN=push-emulator-[0-9a-f]{12}$/);
      expect(certificate.subjectAltName?.split(', ')).toEqual(
        expect.arrayContaining(['DNS:localhost', 'IP Address:127.0.0.1']),
      );
    });

    it('answers 404 outside the emulated endpoints', async () => {
      expect((await http.get('/nothing/here')).status).toBe(404);
      expect(emulator.requests()).toEqual([]);
    });
  });

  describe('APNs', () => {
    it('accepts a valid notification over HTTP/2 and records it', async () => {
      const answer = await sendApns('a1b2c3', { 'apns-push-type': 'alert', 'apns-priority': '10' });

      expect(answer.status).toBe(200);
      expect(answer.headers['apns-id']).toMatch(UUID);
      expect(answer.text).toBe('');
      const [record] = emulator.requests('apns');
      expect(record).toMatchObject({
        provider: 'apns',
        method: 'POST',
        path: '/3/device/a1b2c3',
        body: { aps: { alert: 'Hello' } },
        httpVersion: '2.0',
        outcome: 200,
      });
      expect(record.headers).toMatchObject({ 'apns-topic': TOPIC, authorization: `bearer ${apnsToken}` });
      expect(Object.keys(record.headers).some((name) => name.startsWith(':'))).toBe(false);
      expect(Math.abs(record.receivedAt - Date.now())).toBeLessThan(5000);
    });

    it('echoes the apns-id of the request', async () => {
      const id = '123e4567-e89b-12d3-a456-426614174000';
      const answer = await sendApns('a1b2c3', { 'apns-id': id });
      expect(answer.headers['apns-id']).toBe(id);
    });

    it.each([
      ['no authorization header', undefined, 'MissingProviderToken'],
      ['a token that is not a JWT', 'bearer not-a-jwt', 'InvalidProviderToken'],
      ['an unknown key id', `bearer ${apnsJwt({ kid: 'UNKNOWNKEY' })}`, 'InvalidProviderToken'],
      ['another team', `bearer ${apnsJwt({ iss: 'OTHERTEAM1' })}`, 'InvalidProviderToken'],
      ['the wrong key', `bearer ${apnsJwt({ key: otherApnsKey.privateKey })}`, 'InvalidProviderToken'],
      ['a tampered signature', `bearer ${apnsJwt().slice(0, -4)}AAAA`, 'InvalidProviderToken'],
      ['an iat in the future', `bearer ${apnsJwt({ iat: nowSeconds() + 300 })}`, 'InvalidProviderToken'],
      ['an iat over an hour old', `bearer ${apnsJwt({ iat: nowSeconds() - 3700 })}`, 'ExpiredProviderToken'],
    ])('rejects %s with 403', async (_case, authorization, reason) => {
      const headers: OutgoingHttpHeaders = { ':path': '/3/device/a1b2c3', 'apns-topic': TOPIC };
      if (authorization) headers.authorization = authorization;
      const answer = await h2Request(apns, headers, JSON.stringify({ aps: {} }));

      expect(answer.status).toBe(403);
      expect(answer.json).toEqual({ reason });
      expect(answer.headers['apns-id']).toMatch(UUID);
      expect(emulator.requests('apns')[0].outcome).toBe(403);
    });

    it.each([
      ['a missing topic', { 'apns-topic': '' }, 400, 'MissingTopic'],
      ['an unknown push type', { 'apns-push-type': 'banner' }, 400, 'InvalidPushType'],
      ['a priority other than 10, 5 or 1', { 'apns-priority': '7' }, 400, 'BadPriority'],
      [
        'a background push at priority 10',
        { 'apns-push-type': 'background', 'apns-priority': '10' },
        400,
        'BadPriority',
      ],
      ['a background push without a priority (10)', { 'apns-push-type': 'background' }, 400, 'BadPriority'],
      ['a non-numeric expiration', { 'apns-expiration': 'tomorrow' }, 400, 'BadExpirationDate'],
      ['a collapse id over 64 bytes', { 'apns-collapse-id': 'c'.repeat(65) }, 400, 'BadCollapseId'],
      ['an apns-id that is not a UUID', { 'apns-id': 'message-1' }, 400, 'BadMessageId'],
    ])('rejects %s', async (_case, headers, status, reason) => {
      const answer = await sendApns('a1b2c3', headers);
      expect(answer.status).toBe(status);
      expect(answer.json).toEqual({ reason });
      expect(answer.headers['apns-id']).toMatch(UUID);
    });

    it('accepts a background push at priority 5', async () => {
      const answer = await sendApns('a1b2c3', { 'apns-push-type': 'background', 'apns-priority': '5' });
      expect(answer.status).toBe(200);
    });

    it('checks the path, method, device token and payload', async () => {
      const bad = async (path: string, method: string, body: string | undefined) =>
        h2Request(
          apns,
          { ':path': path, ':method': method, authorization: `bearer ${apnsToken}`, 'apns-topic': TOPIC },
          body,
        );
      const aps = JSON.stringify({ aps: { alert: 'x' } });
      expect((await bad('/3/devices/a1b2', 'POST', aps)).json).toEqual({ reason: 'BadPath' });
      expect((await bad('/3/device/a1b2', 'GET', undefined)).status).toBe(405);
      expect((await bad('/3/device/', 'POST', aps)).json).toEqual({ reason: 'MissingDeviceToken' });
      expect((await bad('/3/device/not-hex', 'POST', aps)).json).toEqual({ reason: 'BadDeviceToken' });
      expect((await bad('/3/device/a1b2', 'POST', '')).json).toEqual({ reason: 'PayloadEmpty' });
      expect((await bad('/3/device/a1b2', 'POST', '{"alert":"no aps"}')).json).toEqual({
        reason: 'PayloadEmpty',
      });
      expect((await bad('/3/device/a1b2', 'POST', 'not json')).json).toEqual({ reason: 'PayloadEmpty' });
    });

    it('answers 413 PayloadTooLarge above 4096 bytes (5120 for VoIP)', async () => {
      const payload = (size: number) => {
        const text = JSON.stringify({ aps: { alert: '' } });
        return JSON.stringify({ aps: { alert: 'x'.repeat(size - text.length) } });
      };
      expect(Buffer.byteLength(payload(4096))).toBe(4096);
      expect((await sendApns('a1b2c3', {}, payload(4096))).status).toBe(200);
      const tooLarge = await sendApns('a1b2c3', {}, payload(4097));
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.json).toEqual({ reason: 'PayloadTooLarge' });
      expect((await sendApns('a1b2c3', { 'apns-push-type': 'voip' }, payload(5120))).status).toBe(200);
      expect((await sendApns('a1b2c3', { 'apns-push-type': 'voip' }, payload(5121))).status).toBe(413);
    });

    it('refuses HTTP/1.1', async () => {
      const answer = await http.post('/3/device/a1b2c3', JSON.stringify({ aps: {} }), {
        headers: {
          authorization: `bearer ${apnsToken}`,
          'apns-topic': TOPIC,
          'content-type': 'application/json',
        },
      });
      expect(answer.status).toBe(505);
      expect(emulator.requests('apns')[0]).toMatchObject({ httpVersion: '1.1', outcome: 505 });
    });

    it('answers the behaviour of the longest matching token prefix', async () => {
      emulator.setBehaviour('apns', 'dead', { kind: 'unregistered' });
      emulator.setBehaviour('apns', 'deadbe', { kind: 'bad-token' });
      emulator.setBehaviour('apns', 'aa', { kind: 'rate-limit' });
      emulator.setBehaviour('apns', 'ab', { kind: 'rate-limit', retryAfterSeconds: 7 });
      emulator.setBehaviour('apns', 'cc', { kind: 'unavailable' });
      emulator.setBehaviour('apns', 'ee', { kind: 'credential-error' });

      const before = Date.now();
      const unregistered = await sendApns('dead01');
      expect(unregistered.status).toBe(410);
      expect(unregistered.json).toEqual({ reason: 'Unregistered', timestamp: expect.any(Number) });
      expect(unregistered.json.timestamp).toBeGreaterThanOrEqual(before);
      expect(unregistered.headers['apns-id']).toMatch(UUID);

      const badToken = await sendApns('deadbeef');
      expect([badToken.status, badToken.json]).toEqual([400, { reason: 'BadDeviceToken' }]);
      const rateLimited = await sendApns('aa01');
      expect([rateLimited.status, rateLimited.json]).toEqual([429, { reason: 'TooManyRequests' }]);
      expect(rateLimited.headers['retry-after']).toBeUndefined();
      expect((await sendApns('ab01')).headers['retry-after']).toBe('7');
      const unavailable = await sendApns('cc01');
      expect([unavailable.status, unavailable.json]).toEqual([503, { reason: 'ServiceUnavailable' }]);
      const credential = await sendApns('ee01');
      expect([credential.status, credential.json]).toEqual([403, { reason: 'InvalidProviderToken' }]);
      expect((await sendApns('ff01')).status).toBe(200);
      expect(emulator.requests('apns').map((record) => record.outcome)).toEqual([
        410, 400, 429, 429, 503, 403, 200,
      ]);
    });

    it('answers slow tokens after the delay', async () => {
      emulator.setBehaviour('apns', '5107', { kind: 'slow', delayMs: 200 });
      const started = Date.now();
      const answer = await sendApns('5107aa');
      expect(answer.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    });

    it('fails the first N requests per token, then succeeds', async () => {
      emulator.setBehaviour('apns', 'f0', { kind: 'fail-times', times: 2, with: 'unavailable' });
      emulator.setBehaviour('apns', 'f1', {
        kind: 'fail-times',
        times: 1,
        with: 'rate-limit',
        then: 'unregistered',
      });
      const statuses = async (token: string, count: number) => {
        const result: number[] = [];
        for (let index = 0; index < count; index++) result.push((await sendApns(token)).status);
        return result;
      };
      expect(await statuses('f0aa', 3)).toEqual([503, 503, 200]);
      expect(await statuses('f0bb', 1)).toEqual([503]);
      expect(await statuses('f1aa', 2)).toEqual([429, 410]);
    });
  });

  describe('FCM HTTP v1', () => {
    const assertion = (overrides: Record<string, unknown> = {}, key: KeyObject = fcmKey.privateKey) => {
      const iat = nowSeconds();
      return jwt(
        { alg: 'RS256', typ: 'JWT' },
        { iss: FCM_EMAIL, scope: FCM_SCOPE, aud: emulator.fcmTokenUrl, iat, exp: iat + 3600, ...overrides },
        key,
      );
    };
    const tokenRequest = (jwtAssertion: string, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer') =>
      http.post('/fcm/token', new URLSearchParams({ grant_type: grantType, assertion: jwtAssertion }));
    const accessToken = async () => (await tokenRequest(assertion())).data.access_token as string;
    const send = async (message: unknown, projectId = 'project-a', token?: string) =>
      http.post(`/v1/projects/${projectId}/messages:send`, message, {
        headers: { authorization: `Bearer ${token ?? (await accessToken())}` },
      });
    const fcmError = (errorCode: string) => ({
      '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
      errorCode,
    });

    it('issues an access token for a signed service-account assertion', async () => {
      const signed = assertion();
      const answer = await tokenRequest(signed);

      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({
        access_token: expect.any(String),
        expires_in: 3599,
        token_type: 'Bearer',
      });
      expect(emulator.requests('fcm-token')[0]).toMatchObject({
        provider: 'fcm-token',
        body: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signed },
        httpVersion: '1.1',
        outcome: 200,
      });
    });

    it.each([
      [
        'the wrong key',
        () => assertion({}, otherFcmKey.privateKey),
        'invalid_grant',
        'Invalid JWT Signature.',
      ],
      [
        'an unknown account',
        () => assertion({ iss: 'nobody@x.iam.gserviceaccount.com' }),
        'invalid_grant',
        'Invalid grant: account not found',
      ],
      [
        'another audience',
        () => assertion({ aud: 'https://oauth2.googleapis.com/token' }),
        'invalid_grant',
        /audience/,
      ],
      [
        'a lifetime over an hour',
        () => assertion({ exp: nowSeconds() + 7200 }),
        'invalid_grant',
        /short-lived/,
      ],
      [
        'an expired assertion',
        () => assertion({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }),
        'invalid_grant',
        /short-lived/,
      ],
      [
        'no FCM scope',
        () => assertion({ scope: 'https://www.googleapis.com/auth/userinfo.email' }),
        'invalid_scope',
        /scope/,
      ],
    ])('refuses an assertion signed with %s', async (_case, make, error, description) => {
      const answer = await tokenRequest(make());
      expect(answer.status).toBe(400);
      expect(answer.data.error).toBe(error);
      expect(answer.data.error_description).toMatch(description);
    });

    it('refuses another grant type', async () => {
      const answer = await tokenRequest(assertion(), 'client_credentials');
      expect([answer.status, answer.data.error]).toEqual([400, 'unsupported_grant_type']);
    });

    it('sends a message over HTTP/1.1 and HTTP/2', async () => {
      const token = await accessToken();
      const message = { message: { token: 'device-1', data: { k: 'v' }, android: { priority: 'HIGH' } } };
      const overHttp1 = await send(message, 'project-a', token);
      expect(overHttp1.status).toBe(200);
      expect(overHttp1.data).toEqual({ name: expect.stringMatching(/^projects\/project-a\/messages\/\S+$/) });

      const session = http2.connect(emulator.fcmUrl, { ca: emulator.caPem });
      try {
        const overHttp2 = await h2Request(
          session,
          {
            ':path': '/v1/projects/project-a/messages:send',
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          JSON.stringify(message),
        );
        expect(overHttp2.status).toBe(200);
        expect(overHttp2.json.name).toMatch(/^projects\/project-a\/messages\//);
      } finally {
        session.close();
      }
      const records = emulator.requests('fcm');
      expect(records.map((record) => [record.httpVersion, record.outcome])).toEqual([
        ['1.1', 200],
        ['2.0', 200],
      ]);
      expect(records[0].body).toEqual(message);
    });

    it('answers 401 UNAUTHENTICATED without a valid access token', async () => {
      const withUnknown = await send({ message: { token: 'device-1' } }, 'project-a', 'ya29.unknown');
      expect(withUnknown.status).toBe(401);
      expect(withUnknown.data).toEqual({
        error: {
          code: 401,
          message: expect.stringMatching(/^Request had invalid authentication credentials\./),
          status: 'UNAUTHENTICATED',
        },
      });
      const without = await http.post('/v1/projects/project-a/messages:send', {
        message: { token: 'device-1' },
      });
      expect([without.status, without.data.error.status]).toEqual([401, 'UNAUTHENTICATED']);
    });

    it('answers 403 SENDER_ID_MISMATCH for a token of another project', async () => {
      const answer = await send({ message: { token: 'device-1' } }, 'project-b');
      expect(answer.status).toBe(403);
      expect(answer.data).toEqual({
        error: {
          code: 403,
          message: 'SenderId mismatch',
          status: 'PERMISSION_DENIED',
          details: [fcmError('SENDER_ID_MISMATCH')],
        },
      });
    });

    it('answers 400 INVALID_ARGUMENT for a message without a target or with non-string data', async () => {
      const token = await accessToken();
      const noMessage = await send({ validate_only: false }, 'project-a', token);
      expect([noMessage.status, noMessage.data.error.status]).toEqual([400, 'INVALID_ARGUMENT']);
      const noToken = await send({ message: { data: { a: 'b' } } }, 'project-a', token);
      expect(noToken.status).toBe(400);
      expect(noToken.data.error.message).toBe('Recipient of the message is not set.');
      const numeric = await send(
        { message: { token: 'device-1', data: { a: 'b', count: 3 } } },
        'project-a',
        token,
      );
      expect(numeric.status).toBe(400);
      expect(numeric.data).toEqual({
        error: {
          code: 400,
          message: "Invalid value at 'message.data[1].value' (TYPE_STRING), 3",
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.BadRequest',
              fieldViolations: [
                {
                  field: 'message.data[1].value',
                  description: "Invalid value at 'message.data[1].value' (TYPE_STRING), 3",
                },
              ],
            },
          ],
        },
      });
    });

    it('answers each behaviour in FCM error shape', async () => {
      const token = await accessToken();
      emulator.setBehaviour('fcm', 'gone', { kind: 'unregistered' });
      emulator.setBehaviour('fcm', 'bad', { kind: 'bad-token' });
      emulator.setBehaviour('fcm', 'busy', { kind: 'rate-limit', retryAfterSeconds: 30 });
      emulator.setBehaviour('fcm', 'down', { kind: 'unavailable' });
      emulator.setBehaviour('fcm', 'other', { kind: 'credential-error' });
      const answerFor = (device: string) => send({ message: { token: device } }, 'project-a', token);

      const unregistered = await answerFor('gone-1');
      expect([unregistered.status, unregistered.data]).toEqual([
        404,
        {
          error: {
            code: 404,
            message: 'Requested entity was not found.',
            status: 'NOT_FOUND',
            details: [fcmError('UNREGISTERED')],
          },
        },
      ]);
      const badToken = await answerFor('bad-1');
      expect([badToken.status, badToken.data]).toEqual([
        400,
        {
          error: {
            code: 400,
            message: 'The registration token is not a valid FCM registration token',
            status: 'INVALID_ARGUMENT',
            details: [
              fcmError('INVALID_ARGUMENT'),
              {
                '@type': 'type.googleapis.com/google.rpc.BadRequest',
                fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }],
              },
            ],
          },
        },
      ]);
      const rateLimited = await answerFor('busy-1');
      expect([rateLimited.status, rateLimited.headers['retry-after'], rateLimited.data]).toEqual([
        429,
        '30',
        {
          error: {
            code: 429,
            message: 'Quota exceeded.',
            status: 'RESOURCE_EXHAUSTED',
            details: [fcmError('QUOTA_EXCEEDED')],
          },
        },
      ]);
      const unavailable = await answerFor('down-1');
      expect([unavailable.status, unavailable.data]).toEqual([
        503,
        {
          error: {
            code: 503,
            message: 'The service is currently unavailable.',
            status: 'UNAVAILABLE',
            details: [fcmError('UNAVAILABLE')],
          },
        },
      ]);
      const credential = await answerFor('other-1');
      expect([credential.status, credential.data.error.details]).toEqual([
        403,
        [fcmError('SENDER_ID_MISMATCH')],
      ]);
    });

    it('fails the first N sends with Retry-After, then delivers', async () => {
      const token = await accessToken();
      emulator.setBehaviour('fcm', 'retry', { kind: 'fail-times', times: 2, with: 'rate-limit' });
      const first = await send({ message: { token: 'retry-1' } }, 'project-a', token);
      const second = await send({ message: { token: 'retry-1' } }, 'project-a', token);
      const third = await send({ message: { token: 'retry-1' } }, 'project-a', token);
      expect([first.status, first.headers['retry-after'], second.status, third.status]).toEqual([
        429,
        '1',
        429,
        200,
      ]);
    });
  });

  describe('HMS Push Kit', () => {
    const tokenRequest = (clientSecret = HMS_CLIENT.clientSecret) =>
      http.post(
        '/oauth2/v3/token',
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: HMS_CLIENT.clientId,
          client_secret: clientSecret,
        }),
      );
    const send = async (tokens: string[], accessToken?: string, extra: Record<string, unknown> = {}) =>
      http.post(
        '/v2/388421841221/messages:send',
        { validate_only: false, message: { token: tokens, data: '{"k":"v"}', ...extra } },
        { headers: { authorization: `Bearer ${accessToken ?? (await tokenRequest()).data.access_token}` } },
      );
    const result = (code: string, msg: string) => ({ code, msg, requestId: expect.stringMatching(/^\d+$/) });

    it('issues an access token for the client credentials', async () => {
      const answer = await tokenRequest();
      expect([answer.status, answer.data]).toEqual([
        200,
        { access_token: expect.any(String), expires_in: 3600, token_type: 'Bearer' },
      ]);
      expect(emulator.requests('hms-token')[0].body).toEqual({
        grant_type: 'client_credentials',
        client_id: HMS_CLIENT.clientId,
        client_secret: HMS_CLIENT.clientSecret,
      });
    });

    it('refuses a wrong client secret', async () => {
      const answer = await tokenRequest('wrong');
      expect([answer.status, answer.data]).toEqual([
        400,
        { error: 1101, error_description: 'invalid client' },
      ]);
    });

    it('sends to every token', async () => {
      const answer = await send(['t1', 't2']);
      expect([answer.status, answer.data]).toEqual([200, result('80000000', 'Success')]);
      expect(emulator.requests('hms')[0]).toMatchObject({
        provider: 'hms',
        path: '/v2/388421841221/messages:send',
        body: { validate_only: false, message: { token: ['t1', 't2'] } },
        outcome: 200,
      });
    });

    it('answers 401 without or with an unknown access token', async () => {
      const without = await http.post('/v2/1/messages:send', { message: { token: ['t1'] } });
      expect([without.status, without.data]).toEqual([401, result('80200001', 'Oauth authentication error')]);
      const unknown = await send(['t1'], 'CgB6e3x9unknown');
      expect([unknown.status, unknown.data]).toEqual([401, result('80200003', 'OAuth token expired.')]);
    });

    it('checks the message structure', async () => {
      const accessToken = (await tokenRequest()).data.access_token;
      const noTokens = await send([], accessToken);
      expect([noTokens.status, noTokens.data.code]).toEqual([400, '80300010']);
      const objectData = await send(['t1'], accessToken, { data: { k: 'v' } });
      expect([objectData.status, objectData.data.code]).toEqual([400, '80100003']);
    });

    it('reports invalid tokens: all of them, or some of them', async () => {
      emulator.setBehaviour('hms', 'gone', { kind: 'unregistered' });
      emulator.setBehaviour('hms', 'bad', { kind: 'bad-token' });
      const accessToken = (await tokenRequest()).data.access_token;
      const all = await send(['gone-1', 'bad-1'], accessToken);
      expect([all.status, all.data]).toEqual([200, result('80300007', 'All the tokens are invalid')]);
      const some = await send(['ok-1', 'bad-1'], accessToken);
      expect([some.status, some.data]).toEqual([
        200,
        result('80100000', '{"success":1,"failure":1,"illegal_tokens":["bad-1"]}'),
      ]);
    });

    it('answers rate limits, outages and credential errors', async () => {
      emulator.setBehaviour('hms', 'busy', { kind: 'rate-limit', retryAfterSeconds: 5 });
      emulator.setBehaviour('hms', 'down', { kind: 'unavailable' });
      emulator.setBehaviour('hms', 'other', { kind: 'credential-error' });
      const accessToken = (await tokenRequest()).data.access_token;
      const busy = await send(['busy-1'], accessToken);
      expect([busy.status, busy.headers['retry-after'], busy.data]).toEqual([
        503,
        '5',
        result('81000001', 'Flow control'),
      ]);
      const down = await send(['ok-1', 'down-1'], accessToken);
      expect([down.status, down.data]).toEqual([503, result('81000001', 'System inner error')]);
      const other = await send(['other-1'], accessToken);
      expect([other.status, other.data]).toEqual([401, result('80200001', 'Oauth authentication error')]);
    });

    it('expires the access token for the first N sends', async () => {
      emulator.setBehaviour('hms', 'exp', { kind: 'hms-token-expired', times: 2 });
      const accessToken = (await tokenRequest()).data.access_token;
      const first = await send(['exp-1', 'exp-2'], accessToken);
      expect([first.status, first.data]).toEqual([401, result('80200003', 'OAuth token expired.')]);
      expect((await send(['exp-1'], accessToken)).status).toBe(401);
      expect((await send(['exp-1'], accessToken)).data.code).toBe('80000000');
    });
  });

  describe('records, behaviours and credentials', () => {
    it('filters records by provider and clears records and behaviours on reset, keeping credentials', async () => {
      emulator.setBehaviour('apns', '', { kind: 'unregistered' });
      expect((await sendApns('a1')).status).toBe(410);
      await http.post(
        '/oauth2/v3/token',
        new URLSearchParams({ grant_type: 'client_credentials', ...{ client_id: 'x' } }),
      );
      expect(emulator.requests().map((record) => record.provider)).toEqual(['apns', 'hms-token']);
      expect(emulator.requests('apns')).toHaveLength(1);
      expect(emulator.counts()).toMatchObject({ apns: 1, 'hms-token': 1, fcm: 0 });

      emulator.reset();
      expect(emulator.requests()).toEqual([]);
      expect((await sendApns('a1')).status).toBe(200);
    });

    it('refuses unknown behaviours and hms-token-expired outside HMS', () => {
      expect(() => emulator.setBehaviour('apns', 'x', { kind: 'hms-token-expired' })).toThrow(/HMS/);
      expect(() => emulator.setBehaviour('fcm', 'x', { kind: 'explode' } as never)).toThrow(
        /Unknown behaviour/,
      );
      expect(() => emulator.setBehaviour('hms', 'x', { kind: 'slow', delayMs: -1 })).toThrow(/delayMs/);
    });

    it('refuses keys of the wrong type', () => {
      expect(() =>
        emulator.registerApnsKey({ keyId: 'K', teamId: 'T', privateKeyPem: pem(fcmKey.privateKey) }),
      ).toThrow();
      expect(() => emulator.registerFcmServiceAccount({ clientEmail: 'e', projectId: 'p' })).toThrow(
        /required/,
      );
    });

    it('is driven the same way over its control API', async () => {
      const set = await http.post('/emulator/behaviours', {
        provider: 'apns',
        tokenPrefix: 'c0',
        behaviour: { kind: 'bad-token' },
      });
      expect(set.status).toBe(200);
      expect((await sendApns('c0ffee')).json).toEqual({ reason: 'BadDeviceToken' });

      const records = await http.get('/emulator/requests', { params: { provider: 'apns' } });
      expect(records.data).toEqual([
        expect.objectContaining({ provider: 'apns', path: '/3/device/c0ffee', outcome: 400 }),
      ]);
      expect((await http.get('/emulator/counts')).data.apns).toBe(1);
      expect((await http.delete('/emulator/requests')).status).toBe(204);
      expect(emulator.requests()).toEqual([]);

      expect(
        (await http.post('/emulator/credentials/hms', { clientId: 'cli-2', clientSecret: 's2' })).status,
      ).toBe(200);
      const token = await http.post(
        '/oauth2/v3/token',
        new URLSearchParams({ grant_type: 'client_credentials', client_id: 'cli-2', client_secret: 's2' }),
      );
      expect(token.status).toBe(200);

      const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const registered = await http.post('/emulator/credentials/apns', {
        keyId: 'CTRLKEY001',
        teamId: 'CTRLTEAM01',
        publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      });
      expect(registered.status).toBe(200);
      const viaControlKey = await h2Request(
        apns,
        {
          ':path': '/3/device/abcd',
          authorization: `bearer ${apnsJwt({ kid: 'CTRLKEY001', iss: 'CTRLTEAM01', key: key.privateKey })}`,
          'apns-topic': TOPIC,
        },
        JSON.stringify({ aps: {} }),
      );
      expect(viaControlKey.status).toBe(200);

      expect((await http.get('/emulator/info')).data).toMatchObject({
        baseUrl: emulator.baseUrl,
        caPem: emulator.caPem,
      });
      const refused = await http.post('/emulator/behaviours', {
        provider: 'apns',
        behaviour: { kind: 'nope' },
      });
      expect([refused.status, refused.data.error]).toEqual([400, 'Unknown behaviour kind: nope']);
      expect((await http.post('/emulator/reset')).status).toBe(204);
    });

    it('generates demo credentials that work against every provider', async () => {
      const demo = await emulator.generateDemoCredentials();
      expect(demo.apns.keyId).toMatch(/^[A-Z0-9]{10}$/);
      expect(demo.apns.teamId).toMatch(/^[A-Z0-9]{10}$/);

      const demoJwt = jwt(
        { alg: 'ES256', kid: demo.apns.keyId },
        { iss: demo.apns.teamId, iat: nowSeconds() },
        createPrivateKey(demo.apns.privateKeyPem),
      );
      const apnsAnswer = await h2Request(
        apns,
        { ':path': '/3/device/abcd', authorization: `bearer ${demoJwt}`, 'apns-topic': demo.apns.bundle },
        JSON.stringify({ aps: { alert: 'demo' } }),
      );
      expect(apnsAnswer.status).toBe(200);

      const account = JSON.parse(demo.fcm.serviceAccountJson);
      expect(account).toMatchObject({
        type: 'service_account',
        project_id: demo.fcm.projectId,
        client_email: demo.fcm.clientEmail,
        token_uri: emulator.fcmTokenUrl,
      });
      const iat = nowSeconds();
      const fcmAssertion = jwt(
        { alg: 'RS256', typ: 'JWT' },
        { iss: account.client_email, scope: FCM_SCOPE, aud: account.token_uri, iat, exp: iat + 3600 },
        createPrivateKey(account.private_key),
      );
      const fcmToken = await http.post(
        account.token_uri,
        new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: fcmAssertion,
        }),
      );
      expect(fcmToken.status).toBe(200);
      const fcmSend = await http.post(
        `/v1/projects/${demo.fcm.projectId}/messages:send`,
        { message: { token: 'device' } },
        { headers: { authorization: `Bearer ${fcmToken.data.access_token}` } },
      );
      expect(fcmSend.status).toBe(200);

      const hmsToken = await http.post(
        '/oauth2/v3/token',
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: demo.hms.clientId,
          client_secret: demo.hms.clientSecret,
        }),
      );
      expect(hmsToken.status).toBe(200);
    });
  });

  describe('lifecycle', () => {
    it('gives each instance its own certificate subject, so clients can trust several at once', async () => {
      const other = new ProviderEmulator();
      await other.start();
      const agent = new https.Agent({ ca: [emulator.caPem, other.caPem] });
      try {
        expect(new X509Certificate(other.caPem).subject).not.toBe(
          new X509Certificate(emulator.caPem).subject,
        );
        for (const baseURL of [emulator.baseUrl, other.baseUrl]) {
          const answer = await axios.get('/nothing/here', {
            baseURL,
            httpsAgent: agent,
            validateStatus: () => true,
          });
          expect(answer.status).toBe(404);
        }
      } finally {
        agent.destroy();
        await other.stop();
      }
    });

    it('keeps at most maxRecords and stops promptly with open sessions and pending answers', async () => {
      const small = new ProviderEmulator();
      await small.start({ maxRecords: 3 });
      small.registerApnsKey({ keyId: KEY_ID, teamId: TEAM_ID, publicKeyPem: pem(apnsKey.privateKey) });
      small.setBehaviour('apns', '510', { kind: 'slow', delayMs: 60_000 });
      const session = http2.connect(small.apnsUrl, { ca: small.caPem });
      session.on('error', () => undefined);
      const request = (token: string) =>
        h2Request(
          session,
          { ':path': `/3/device/${token}`, authorization: `bearer ${apnsToken}`, 'apns-topic': TOPIC },
          JSON.stringify({ aps: {} }),
        );
      for (const token of ['01', '02', '03', '04', '05']) expect((await request(token)).status).toBe(200);
      expect(small.requests().map((record) => record.path)).toEqual([
        '/3/device/03',
        '/3/device/04',
        '/3/device/05',
      ]);
      expect(small.counts().apns).toBe(5);

      const pending = request('510a').catch((error: Error) => error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(small.requests('apns', 1)[0]).toMatchObject({ path: '/3/device/510a', outcome: 0 });
      const started = Date.now();
      await small.stop();
      expect(Date.now() - started).toBeLessThan(1000);
      await pending;
      session.destroy();
    });
  });
});
