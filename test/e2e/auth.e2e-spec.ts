import { ApiClientRepository } from '../../src/modules/auth/api-client.repository';
import { hashSecret } from '../../src/modules/auth/api-key';
import { authorizationsOf, createTestClient, TestClient } from '../support/api-clients';
import { base64, TEST_API_KEY } from '../support/credentials';
import { eventually } from '../support/delivery-fixture';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * AUTH_MODE=api-key (the default): the API key in Basic or Bearer form, the 401/403 envelopes, scopes, revocation
 * and secret rotation, as a client sees them.
 */

const WWW_AUTHENTICATE = 'Basic realm="push-server", charset="UTF-8", Bearer realm="push-server"';
const AUTH_REQUIRED =
  'Authentication required: send an API key as HTTP Basic (key id and secret) or as Bearer <keyId>.<secret>';
const [ADMIN_KEY_ID, ADMIN_SECRET] = [
  TEST_API_KEY.split('.')[0],
  TEST_API_KEY.slice(TEST_API_KEY.indexOf('.') + 1),
];
const ADMIN = authorizationsOf(ADMIN_KEY_ID, ADMIN_SECRET);
const EMPTY_APP_LIST = { status: 'OK', responseObject: { applicationList: [] } };

const unauthorized = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_UNAUTHORIZED', message },
});
const forbidden = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_FORBIDDEN', message },
});

describe('API authentication (AUTH_MODE=api-key)', () => {
  let t: TestApp;
  let reader: TestClient;

  beforeAll(async () => {
    // Every client row is read again on each request; failures here are not the failure counter's test.
    t = await startTestApp({ env: { AUTH_CACHE_TTL_MS: '0', AUTH_FAILURE_LIMIT: '10000' } });
    reader = await createTestClient(t, 'inbox-reader', ['inbox']);
  });
  afterAll(() => t.close());

  const listApps = (authorization?: string) => {
    const request = t.anonymous().get('/admin/app/list');
    return authorization === undefined ? request : request.set('Authorization', authorization);
  };

  it('takes the key as Bearer <keyId>.<secret> and as HTTP Basic key id and secret, scheme in any case', async () => {
    for (const authorization of [
      ADMIN.bearer,
      ADMIN.basic,
      `bearer ${TEST_API_KEY}`,
      `BASIC ${base64(`${ADMIN_KEY_ID}:${ADMIN_SECRET}`)}`,
    ]) {
      const response = await listApps(authorization).expect(200);
      expect(response.body).toEqual(EMPTY_APP_LIST);
      expect(response.headers['www-authenticate']).toBeUndefined();
    }
  });

  it.each([
    ['no Authorization header', undefined, AUTH_REQUIRED],
    ['an empty header', '', AUTH_REQUIRED],
    ['Basic that is not Base64 of id:secret', 'Basic !!!', AUTH_REQUIRED],
    ['Basic without a colon', `Basic ${base64('test-admin')}`, AUTH_REQUIRED],
    ['Basic with an empty secret', `Basic ${base64('test-admin:')}`, AUTH_REQUIRED],
    ['Bearer without a dot', 'Bearer nodot', AUTH_REQUIRED],
    ['Bearer with nothing after it', 'Bearer', AUTH_REQUIRED],
    ['another scheme', `Digest username="${ADMIN_KEY_ID}"`, AUTH_REQUIRED],
    ['the key without a scheme', TEST_API_KEY, AUTH_REQUIRED],
    ['an oversized header', `Bearer ${ADMIN_KEY_ID}.${'x'.repeat(3000)}`, AUTH_REQUIRED],
    ['a wrong secret as Bearer', `Bearer ${ADMIN_KEY_ID}.wrong-secret`, 'Invalid API credentials'],
    ['a wrong secret as Basic', `Basic ${base64(`${ADMIN_KEY_ID}:wrong-secret`)}`, 'Invalid API credentials'],
    ['an unknown key id', `Bearer nobody.${ADMIN_SECRET}`, 'Invalid API credentials'],
    ['the secret of another client', `Bearer inbox-reader-key.${ADMIN_SECRET}`, 'Invalid API credentials'],
  ])('answers %s with 401 ERROR_UNAUTHORIZED and WWW-Authenticate', async (_case, authorization, message) => {
    const response = await listApps(authorization).expect(401);
    expect(response.body).toEqual(unauthorized(message));
    expect(response.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers a valid client without the route scope with 403 ERROR_FORBIDDEN, no WWW-Authenticate', async () => {
    for (const authorization of [reader.bearer, reader.basic]) {
      const response = await listApps(authorization).expect(403);
      expect(response.body).toEqual(forbidden('API client inbox-reader does not have the admin scope'));
      expect(response.headers['www-authenticate']).toBeUndefined();
    }
    // Its own scope works.
    const inbox = await t
      .anonymous()
      .get('/inbox/messages/count?userId=u1&appId=mobile-app')
      .set('Authorization', reader.bearer);
    expect(inbox.status).not.toBe(401);
    expect(inbox.status).not.toBe(403);
    // The status callback is a scope of its own: the device scope does not reach it.
    const device = await createTestClient(t, 'device-only', ['device']);
    const callback = await t
      .anonymous()
      .post('/push/device/status/update')
      .set('Authorization', device.bearer)
      .send({ activationId: 'a1', activationStatus: 'ACTIVE' })
      .expect(403);
    expect(callback.body).toEqual(
      forbidden('API client device-only does not have the status-callback scope'),
    );
    const metrics = await t.anonymous().get('/metrics').set('Authorization', device.bearer).expect(403);
    expect(metrics.body).toEqual(forbidden('API client device-only does not have the metrics scope'));
  });

  it('leaves the health probes and the service status open', async () => {
    await t.anonymous().get('/health').expect(200);
    await t.anonymous().get('/health/ready').expect(200);
    const status = await t.anonymous().get('/push/service/status').expect(200);
    expect(status.body.status).toBe('OK');
    // Even with credentials that do not work.
    await t.anonymous().get('/push/service/status').set('Authorization', 'Bearer x.y').expect(200);
  });

  it('changes no rows on a 401 or a 403', async () => {
    const appCreate = { requestObject: { appId: 'refused-app' } };
    await t.anonymous().post('/admin/app/create').send(appCreate).expect(401);
    await t
      .anonymous()
      .post('/admin/app/create')
      .set('Authorization', `Bearer ${ADMIN_KEY_ID}.wrong`)
      .send(appCreate)
      .expect(401);
    await t
      .anonymous()
      .post('/admin/app/create')
      .set('Authorization', reader.bearer)
      .send(appCreate)
      .expect(403);
    expect(await t.sql('SELECT app_id FROM push_app_credentials')).toEqual([]);
    const device = {
      requestObject: { appId: 'refused-app', token: 't', platform: 'fcm', activationId: 'a', userId: 'u' },
    };
    await t.anonymous().post('/push/device/create').send(device).expect(401);
    await t
      .anonymous()
      .post('/push/device/create')
      .set('Authorization', reader.basic)
      .send(device)
      .expect(403);
    expect(await t.sql('SELECT id FROM push_device_registration')).toEqual([]);
  });

  it('records when a client was last used, not its secret', async () => {
    const client = await createTestClient(t, 'last-used', ['admin']);
    await listApps(client.bearer).expect(200);
    await eventually(async () => {
      const [row] = await t.sql<{ timestamp_last_used: unknown; secret_hash: string }>(
        'SELECT timestamp_last_used, secret_hash FROM push_api_client WHERE key_id = ?',
        [client.keyId],
      );
      expect(row.timestamp_last_used).not.toBeNull();
      expect(row.secret_hash).toMatch(/^scrypt\$15\$8\$1\$/);
      expect(row.secret_hash).not.toContain(client.secret);
    });
  });

  it('answers 401 for a revoked client', async () => {
    const client = await createTestClient(t, 'to-revoke', ['admin']);
    await listApps(client.bearer).expect(200);
    expect(await t.app.get(ApiClientRepository).revoke(client.record.id)).toBe(true);
    for (const authorization of [client.bearer, client.basic]) {
      const response = await listApps(authorization).expect(401);
      expect(response.body).toEqual(unauthorized('Invalid API credentials'));
      expect(response.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
    }
    // A revoked client cannot get a new secret.
    expect(await t.app.get(ApiClientRepository).replaceSecret(client.record.id, await hashSecret('x'))).toBe(
      false,
    );
    await listApps(client.bearer).expect(401);
  });

  it('after a secret rotation takes the new secret only', async () => {
    const client = await createTestClient(t, 'to-rotate', ['admin']);
    await listApps(client.bearer).expect(200);
    const fresh = authorizationsOf(client.keyId, 'the-new-secret-0123456789abcdef0123456789');
    const repository = t.app.get(ApiClientRepository);
    expect(
      await repository.replaceSecret(
        client.record.id,
        await hashSecret('the-new-secret-0123456789abcdef0123456789'),
      ),
    ).toBe(true);
    expect((await listApps(client.bearer).expect(401)).body).toEqual(unauthorized('Invalid API credentials'));
    await listApps(client.basic).expect(401);
    expect((await listApps(fresh.bearer).expect(200)).body).toEqual(EMPTY_APP_LIST);
    await listApps(fresh.basic).expect(200);
    const [row] = await t.sql<{ timestamp_rotated: unknown }>(
      'SELECT timestamp_rotated FROM push_api_client WHERE id = ?',
      [client.record.id],
    );
    expect(row.timestamp_rotated).not.toBeNull();
  });
});

describe('API authentication with the client cache (AUTH_CACHE_TTL_MS)', () => {
  const TTL_MS = 1500;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_CACHE_TTL_MS: String(TTL_MS) } });
  });
  afterAll(() => t.close());

  it('lets a revocation made elsewhere take effect once the cached client row expires', async () => {
    const client = await createTestClient(t, 'cached', ['admin']);
    await t.anonymous().get('/admin/app/list').set('Authorization', client.bearer).expect(200);
    const revokedAt = Date.now();
    // Another node (or the command-line tool) revokes: this node does not hear of it.
    await t.sql('UPDATE push_api_client SET timestamp_revoked = timestamp_created WHERE id = ?', [
      client.record.id,
    ]);
    const cached = await t.anonymous().get('/admin/app/list').set('Authorization', client.bearer);
    if (Date.now() - revokedAt < TTL_MS - 200) expect(cached.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
    const response = await t
      .anonymous()
      .get('/admin/app/list')
      .set('Authorization', client.bearer)
      .expect(401);
    expect(response.body).toEqual(unauthorized('Invalid API credentials'));
  });
});
