import type { Response } from 'supertest';
import { createTestClient, TestClient } from '../support/api-clients';
import { TEST_AUTHORIZATION } from '../support/credentials';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * RATE_LIMIT_*: per client and scope, per source address, and the failed-authentication block per address; each
 * answers 429 ERROR_RATE_LIMITED with Retry-After, and a refused request changes nothing.
 */

const rateLimited = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_RATE_LIMITED', message },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const statuses = (responses: Response[]) => responses.map((response) => response.status).sort();

function expectRateLimited(response: Response, message: string): void {
  expect(response.status).toBe(429);
  const retryAfter = response.headers['retry-after'];
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  expect(response.body).toEqual(rateLimited(`${message}, retry after ${retryAfter} s`));
}

describe('rate limit per client and scope', () => {
  let t: TestApp;
  let first: TestClient;
  let second: TestClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_DEVICE_PER_SECOND: '2' } });
    await t
      .http()
      .post('/admin/app/create')
      .send({ requestObject: { appId: 'mobile-app' } })
      .expect(200);
    first = await createTestClient(t, 'first', ['device', 'admin']);
    second = await createTestClient(t, 'second', ['device']);
  });
  afterAll(() => t.close());

  const register = (client: TestClient, n: number) =>
    t
      .anonymous()
      .post('/push/device/create')
      .set('Authorization', client.bearer)
      .send({
        requestObject: {
          appId: 'mobile-app',
          token: `token-${client.keyId}-${n}`,
          platform: 'fcm',
          activationId: `activation-${client.keyId}-${n}`,
          userId: 'user-1',
          activationStatus: 'ACTIVE',
        },
      });

  it('answers the request over the rate with 429 and Retry-After, and stores nothing for it', async () => {
    // The first request of a client pays for the scrypt check; warm the cache on another scope.
    await t.anonymous().get('/admin/app/list').set('Authorization', first.bearer).expect(200);
    const responses = await Promise.all([1, 2, 3].map((n) => register(first, n)));
    expect(statuses(responses)).toEqual([200, 200, 429]);
    const refused = responses.find((response) => response.status === 429)!;
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual(rateLimited('Too many requests, retry after 1 s'));
    const rows = await t.sql<{ push_token: string }>('SELECT push_token FROM push_device_registration');
    expect(rows).toHaveLength(2);

    // Another scope of the same client and another client are not affected.
    await t.anonymous().get('/admin/app/list').set('Authorization', first.bearer).expect(200);
    await register(second, 1).expect(200);
    await register(second, 2).expect(200);
    // The bootstrap admin has its own buckets too.
    await t.http().get('/admin/app/list').expect(200);

    await sleep(1100);
    await register(first, 4).expect(200);
    expect(await t.sql('SELECT id FROM push_device_registration')).toHaveLength(5);
  });
});

describe('rate limit per source address', () => {
  let t: TestApp;

  beforeAll(async () => {
    // X-Forwarded-For names the source address, as behind a gateway.
    t = await startTestApp({
      env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_ADDRESS_PER_SECOND: '3', TRUST_PROXY: 'true' },
    });
    // Verify the admin key once, from elsewhere, so the requests below take milliseconds.
    await from('192.0.2.1').expect(200);
  });
  afterAll(() => t.close());

  const from = (address: string, path = '/admin/app/list', authorization = TEST_AUTHORIZATION) =>
    t.anonymous().get(path).set('X-Forwarded-For', address).set('Authorization', authorization);

  it('limits every request from one address, whoever it authenticates as, public routes too', async () => {
    const responses = await Promise.all([1, 2, 3, 4].map(() => from('203.0.113.1')));
    expect(statuses(responses)).toEqual([200, 200, 200, 429]);
    expectRateLimited(
      responses.find((response) => response.status === 429)!,
      'Too many requests',
    );
    expectRateLimited(await from('203.0.113.1', '/push/service/status'), 'Too many requests');
    // The API description, which Express serves outside Nest's guard, too.
    expectRateLimited(await from('203.0.113.1', '/v3/api-docs'), 'Too many requests');
    // Another address is not affected.
    await from('203.0.113.2').expect(200);
  });

  it('counts requests that fail authentication, and refuses them before looking at the key', async () => {
    const responses = await Promise.all(
      [1, 2, 3, 4].map(() => from('203.0.113.3', '/admin/app/list', 'Bearer a.b')),
    );
    expect(statuses(responses)).toEqual([401, 401, 401, 429]);
    expectRateLimited(await from('203.0.113.3'), 'Too many requests');
  });

  it('creates nothing for a refused request', async () => {
    const create = () =>
      t
        .anonymous()
        .post('/admin/app/create')
        .set('X-Forwarded-For', '203.0.113.4')
        .set('Authorization', TEST_AUTHORIZATION)
        .send({ requestObject: { appId: 'limited-app' } });
    await Promise.all([1, 2, 3].map(() => from('203.0.113.4', '/push/service/status')));
    expectRateLimited(await create(), 'Too many requests');
    expect(await t.sql('SELECT id FROM push_app_credentials')).toEqual([]);
  });
});

describe('failed authentications per source address', () => {
  const WINDOW_SECONDS = 2;
  let t: TestApp;

  beforeAll(async () => {
    // The failure block is on even with the rate limits off.
    t = await startTestApp({
      env: {
        AUTH_FAILURE_LIMIT: '3',
        AUTH_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
        TRUST_PROXY: 'true',
        RATE_LIMIT_ENABLED: 'false',
      },
    });
  });
  afterAll(() => t.close());

  const as = (address: string, authorization?: string, path = '/admin/app/list') => {
    const request = t.anonymous().get(path).set('X-Forwarded-For', address);
    return authorization === undefined ? request : request.set('Authorization', authorization);
  };

  it('after the limit refuses every key this node has not verified yet, and every failure, until the window ends', async () => {
    // A correct key this node has never checked needs the slow check, which the block refuses: a guesser cannot
    // learn that a guess was right. A key already verified here costs nothing and proves nothing, so it passes.
    const fresh = await createTestClient(t, 'fresh', ['admin']);
    await t.http().get('/admin/app/list').expect(200);
    const started = Date.now();
    await as('198.51.100.7', 'Bearer unknown-1.secret').expect(401);
    await as('198.51.100.7', 'Bearer unknown-2.secret').expect(401);
    // A request without credentials is not a guess: it does not count.
    await as('198.51.100.7').expect(401);
    await as('198.51.100.7', 'Bearer test-admin.wrong-secret').expect(401);

    const blocked = await as('198.51.100.7', fresh.bearer);
    expectRateLimited(blocked, 'Too many failed authentication attempts');
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(WINDOW_SECONDS);
    expectRateLimited(await as('198.51.100.7'), 'Too many failed authentication attempts');
    expectRateLimited(
      await as('198.51.100.7', 'Bearer test-admin.wrong-again'),
      'Too many failed authentication attempts',
    );
    const create = await t
      .anonymous()
      .post('/admin/app/create')
      .set('X-Forwarded-For', '198.51.100.7')
      .set('Authorization', fresh.bearer)
      .send({ requestObject: { appId: 'blocked-app' } });
    expectRateLimited(create, 'Too many failed authentication attempts');
    expect(await t.sql('SELECT id FROM push_app_credentials')).toEqual([]);
    await as('198.51.100.7', TEST_AUTHORIZATION).expect(200);

    // Other addresses and the public routes are not affected.
    await as('198.51.100.8', fresh.bearer).expect(200);
    await as('198.51.100.7', undefined, '/push/service/status').expect(200);

    await sleep(started + WINDOW_SECONDS * 1000 + 500 - Date.now());
    await as('198.51.100.7', 'Bearer test-admin.wrong-secret').expect(401);
  });

  it('counts concurrent guesses before checking them: a burst cannot run more slow checks than the limit', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => as('192.0.2.44', `Bearer test-admin.concurrent-guess-${i}`)),
    );
    expect(statuses(guesses)).toEqual([...Array(3).fill(401), ...Array(9).fill(429)]);
  });

  it('limits an IPv6 /64 as one address', async () => {
    for (const host of ['1', '2', '3'])
      await as(`2001:db8:1:2::${host}`, `Bearer test-admin.v6-guess-${host}`).expect(401);
    expectRateLimited(
      await as('2001:db8:1:2:ffff::9', 'Bearer test-admin.v6-guess-4'),
      'Too many failed authentication attempts',
    );
    await as('2001:db8:1:3::1', 'Bearer test-admin.v6-guess-5').expect(401);
  });
});
