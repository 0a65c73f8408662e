import { request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { UNPAGED_LIST_MAX } from '../../src/common/validation/page-query';
import { createTestClient, TestClient } from '../support/api-clients';
import { FakePowerAuthServer } from '../support/fake-powerauth-server';
import { startTestApp, TEST_AUTHORIZATION, TestApp } from '../support/test-app';

/**
 * Input that cannot break the server: body size limits (the campaign user list's larger one only for callers who may
 * post it), JSON nesting depth, and lists the original answered whole, now at most UNPAGED_LIST_MAX rows.
 */

const TOO_LARGE = {
  status: 'ERROR',
  responseObject: { code: 'ERROR_PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
};
const tooDeep = (fieldName: string) => ({
  status: 'ERROR',
  responseObject: {
    code: 'ERROR_REQUEST',
    message: 'Invalid method parameter value',
    violations: [{ fieldName, hint: 'must not be nested more than 1000 levels deep' }],
  },
});
const nestedObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const nestedArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const userIds = (count: number, length: number) =>
  Array.from({ length: count }, (_, i) => `user-${i}-`.padEnd(length, 'x'));

describe('body size limits', () => {
  const BODY_LIMIT = 4096;
  const CAMPAIGN_USERS_LIMIT = 64 * 1024;
  let t: TestApp;
  let campaigns: TestClient;
  let devices: TestClient;
  let campaignId: number;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        HTTP_BODY_LIMIT_BYTES: String(BODY_LIMIT),
        CAMPAIGN_USER_BODY_LIMIT_BYTES: String(CAMPAIGN_USERS_LIMIT),
      },
    });
    campaigns = await createTestClient(t, 'campaigns', ['campaign']);
    devices = await createTestClient(t, 'devices', ['device']);
    campaignId = await createAppAndCampaign(t);
  });
  afterAll(() => t.close());

  it('answers a body over HTTP_BODY_LIMIT_BYTES with 413 ERROR_PAYLOAD_TOO_LARGE and creates nothing', async () => {
    const body = { requestObject: { appId: 'big-app', padding: 'x'.repeat(BODY_LIMIT) } };
    const response = await t.http().post('/admin/app/create').send(body).expect(413);
    expect(response.body).toEqual(TOO_LARGE);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    // Chunked, without a Content-Length to refuse it by.
    const chunked = await postChunked(t, '/admin/app/create', JSON.stringify(body));
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toEqual(TOO_LARGE);
    // Just under the limit is fine.
    const fits = JSON.stringify({ requestObject: { appId: 'fits' } }).length;
    await t
      .http()
      .post('/admin/app/create')
      .send({ requestObject: { appId: 'fits', padding: 'x'.repeat(BODY_LIMIT - fits - 20) } })
      .expect(200);
    expect(await t.sql('SELECT app_id FROM push_app_credentials ORDER BY id')).toEqual([
      { app_id: 'mobile-app' },
      { app_id: 'fits' },
    ]);
  });

  it('reads a campaign user list up to CAMPAIGN_USER_BODY_LIMIT_BYTES, for add and delete', async () => {
    const users = userIds(200, 200);
    expect(JSON.stringify({ requestObject: users }).length).toBeGreaterThan(BODY_LIMIT * 8);
    await t
      .anonymous()
      .post(`/push/campaign/${campaignId}/user/add`)
      .set('Authorization', campaigns.bearer)
      .send({ requestObject: users })
      .expect(200);
    const [{ count }] = await t.sql<{ count: number | string }>(
      'SELECT COUNT(*) AS count FROM push_campaign_user WHERE campaign_id = ?',
      [campaignId],
    );
    expect(Number(count)).toBe(200);
    await t
      .anonymous()
      .post(`/push/campaign/${campaignId}/user/delete`)
      .set('Authorization', campaigns.basic)
      .send({ requestObject: users.slice(0, 150) })
      .expect(200);
    const tooMany = userIds(400, 200);
    const response = await t
      .anonymous()
      .put(`/push/campaign/${campaignId}/user/add`)
      .set('Authorization', campaigns.bearer)
      .send({ requestObject: tooMany })
      .expect(413);
    expect(response.body).toEqual(TOO_LARGE);
  });

  it('gives the larger limit only to callers with the campaign scope', async () => {
    const users = userIds(200, 200);
    for (const authorization of [undefined, 'Bearer campaigns-key.wrong-secret', devices.bearer]) {
      const request = t.anonymous().post(`/push/campaign/${campaignId}/user/add`);
      if (authorization) request.set('Authorization', authorization);
      const response = await request.send({ requestObject: users }).expect(413);
      expect(response.body).toEqual(TOO_LARGE);
    }
    // A small body still gets the guard's answer.
    await t
      .anonymous()
      .post(`/push/campaign/${campaignId}/user/add`)
      .send({ requestObject: ['u1'] })
      .expect(401);
    await t
      .anonymous()
      .post(`/push/campaign/${campaignId}/user/add`)
      .set('Authorization', devices.bearer)
      .send({ requestObject: ['u1'] })
      .expect(403);
    const [{ count }] = await t.sql<{ count: number | string }>(
      'SELECT COUNT(*) AS count FROM push_campaign_user WHERE user_id = ?',
      ['u1'],
    );
    expect(Number(count)).toBe(0);
  });
});

describe('body size limits by default', () => {
  let t: TestApp;
  let campaignId: number;

  beforeAll(async () => {
    t = await startTestApp();
    campaignId = await createAppAndCampaign(t);
  });
  afterAll(() => t.close());

  it('takes 1 MB in general and more for a campaign user list', async () => {
    const big = {
      requestObject: {
        appId: 'mobile-app',
        message: { userId: 'u', body: { title: 'x'.repeat(1024 * 1024) } },
      },
    };
    expect((await t.http().post('/push/message/send').send(big).expect(413)).body).toEqual(TOO_LARGE);
    const users = userIds(6500, 250);
    expect(JSON.stringify({ requestObject: users }).length).toBeGreaterThan(1.5 * 1024 * 1024);
    await t.http().post(`/push/campaign/${campaignId}/user/add`).send({ requestObject: users }).expect(200);
    const [{ count }] = await t.sql<{ count: number | string }>(
      'SELECT COUNT(*) AS count FROM push_campaign_user WHERE campaign_id = ?',
      [campaignId],
    );
    expect(Number(count)).toBe(6500);
  });
});

describe('JSON nesting depth', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t
      .http()
      .post('/admin/app/create')
      .send({ requestObject: { appId: 'mobile-app' } })
      .expect(200);
  });
  afterAll(() => t.close());

  const post = (path: string, json: string) =>
    t.http().post(path).set('Content-Type', 'application/json').send(json);
  // {"requestObject":{"message":{"body":{"extras": ...: extras is the fifth level from the root.
  const send = (extras: string) =>
    post(
      '/push/message/send',
      `{"requestObject":{"appId":"mobile-app","message":{"userId":"u1","body":{"title":"Hi","extras":${extras}}}}}`,
    );

  it('accepts 1000 levels, as the original (Jackson) does', async () => {
    const response = await send(nestedObject(996)).expect(200);
    expect(response.body.status).toBe('OK');
    await send(`{"list":${nestedArray(995)}}`).expect(200);
  });

  it('answers deeper input with 400 ERROR_REQUEST, not a stack overflow', async () => {
    expect((await send(nestedObject(997)).expect(400)).body).toEqual(tooDeep('requestObject'));
    expect((await send(nestedObject(100000)).expect(400)).body).toEqual(tooDeep('requestObject'));
    expect((await send(`{"list":${nestedArray(200000)}}`).expect(400)).body).toEqual(
      tooDeep('requestObject'),
    );
    // Where nothing reads it: an unknown property.
    const junk = await post(
      '/admin/app/create',
      `{"requestObject":{"appId":"deep","junk":${nestedObject(50000)}}}`,
    );
    expect(junk.status).toBe(400);
    expect(junk.body).toEqual(tooDeep('requestObject'));
    // A body without the envelope.
    const bare = await post('/push/device/status/update', `{"activationId":"a","x":${nestedArray(50000)}}`);
    expect(bare.body).toEqual(tooDeep('body'));
    const campaign = await post(
      '/push/campaign/create',
      `{"requestObject":{"appId":"mobile-app","message":{"extras":${nestedObject(50000)}}}}`,
    );
    expect(campaign.body).toEqual(tooDeep('requestObject'));
    expect(await t.sql('SELECT app_id FROM push_app_credentials')).toEqual([{ app_id: 'mobile-app' }]);
    expect(await t.sql('SELECT id FROM push_campaign')).toEqual([]);
  });
});

describe('lists the original answered whole', () => {
  const powerAuth = new FakePowerAuthServer();
  let t: TestApp;
  let campaignIds: number[];
  let appIds: string[];

  beforeAll(async () => {
    t = await startTestApp({ env: { POWERAUTH_SERVICE_URL: await powerAuth.start() } });
    const apps = Array.from({ length: UNPAGED_LIST_MAX + 1 }, (_, i) => `app-${String(i).padStart(4, '0')}`);
    await t.sql(
      `INSERT INTO push_app_credentials (app_id, timestamp_created) VALUES ${apps.map(() => '(?, ?)').join(', ')}`,
      apps.flatMap((appId) => [appId, '2024-01-02 03:04:05']),
    );
    appIds = (await t.sql<{ app_id: string }>('SELECT app_id FROM push_app_credentials ORDER BY id')).map(
      (row) => row.app_id,
    );
    const [{ id: appPk }] = await t.sql<{ id: number }>(
      'SELECT id FROM push_app_credentials WHERE app_id = ?',
      ['app-0000'],
    );
    // Half sent, half not.
    await t.sql(
      'INSERT INTO push_campaign (app_id, message, is_sent, timestamp_created) VALUES ' +
        Array.from({ length: 2 * (UNPAGED_LIST_MAX + 1) }, (_, i) =>
          i % 2 === 0 ? '(?, ?, FALSE, ?)' : '(?, ?, TRUE, ?)',
        ).join(', '),
      Array.from({ length: 2 * (UNPAGED_LIST_MAX + 1) }, () => [
        appPk,
        '{"title":"Hi"}',
        '2024-01-02 03:04:05',
      ]).flat(),
    );
    campaignIds = (await t.sql<{ id: number }>('SELECT id FROM push_campaign ORDER BY id')).map((row) =>
      Number(row.id),
    );
  });
  afterAll(async () => {
    await t.close();
    await powerAuth.stop();
  });

  const ids = (body: { responseObject: Array<{ id: number }> }) => body.responseObject.map((item) => item.id);

  it('GET /push/campaign/list answers at most 1000 campaigns, and pages with ?page=&size=', async () => {
    const all = await t.http().get('/push/campaign/list?all=true').expect(200);
    expect(Object.keys(all.body)).toEqual(['status', 'responseObject']);
    expect(ids(all.body)).toEqual(campaignIds.slice(0, UNPAGED_LIST_MAX));
    expect(all.body.responseObject[0]).toEqual({
      id: campaignIds[0],
      appId: 'app-0000',
      sent: false,
      message: { title: 'Hi' },
    });
    const unsent = await t.http().get('/push/campaign/list').expect(200);
    expect(ids(unsent.body)).toEqual(campaignIds.filter((_, i) => i % 2 === 0).slice(0, UNPAGED_LIST_MAX));
    const lastUnsent = await t.http().get('/push/campaign/list?all=false&page=1&size=1000').expect(200);
    expect(ids(lastUnsent.body)).toEqual([campaignIds[2 * UNPAGED_LIST_MAX]]);
    const page = await t.http().get('/push/campaign/list?all=true&page=3&size=2').expect(200);
    expect(ids(page.body)).toEqual(campaignIds.slice(6, 8));
    const tooBig = await t.http().get('/push/campaign/list?all=true&size=1001').expect(400);
    expect(tooBig.body.responseObject.violations).toEqual([
      { fieldName: 'size', invalidValue: '1001', hint: 'must be less than or equal to 1000' },
    ]);
  });

  it('GET /admin/app/list answers at most 1000 apps, and pages with ?page=&size=', async () => {
    const list = await t.http().get('/admin/app/list').expect(200);
    const names = (body: { responseObject: { applicationList: Array<{ appId: string }> } }) =>
      body.responseObject.applicationList.map((app) => app.appId);
    expect(names(list.body)).toEqual(appIds.slice(0, UNPAGED_LIST_MAX));
    expect(list.body.responseObject.applicationList[0]).toEqual({
      appId: appIds[0],
      apns: false,
      fcm: false,
      hms: false,
    });
    expect(names((await t.http().get('/admin/app/list?page=1&size=1000').expect(200)).body)).toEqual([
      appIds[UNPAGED_LIST_MAX],
    ]);
    expect(names((await t.http().get('/admin/app/list?page=0&size=3').expect(200)).body)).toEqual(
      appIds.slice(0, 3),
    );
    await t.http().get('/admin/app/list?size=0').expect(400);
  });

  it('GET /admin/app/unconfigured/list answers at most 1000 apps, and pages with ?page=&size=', async () => {
    const unconfigured = Array.from({ length: UNPAGED_LIST_MAX + 1 }, (_, i) => `pa-${i}`);
    powerAuth.applications = ['app-0000', ...unconfigured, 'app-0001'];
    const list = await t.http().get('/admin/app/unconfigured/list').expect(200);
    expect(list.body).toEqual({
      status: 'OK',
      responseObject: {
        applicationList: unconfigured.slice(0, UNPAGED_LIST_MAX).map((appId) => ({ appId })),
      },
    });
    const rest = await t.http().get('/admin/app/unconfigured/list?page=1&size=1000').expect(200);
    expect(rest.body.responseObject).toEqual({
      applicationList: [{ appId: unconfigured[UNPAGED_LIST_MAX] }],
    });
  });
});

/** A body sent in chunks (Transfer-Encoding: chunked), which supertest cannot do. */
async function postChunked(
  t: TestApp,
  path: string,
  body: string,
): Promise<{ status: number; body: string }> {
  const server = t.app.getHttpServer() as Server;
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: TEST_AUTHORIZATION },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    for (let start = 0; start < body.length; start += 1000) request.write(body.slice(start, start + 1000));
    request.end();
  });
}

/** App `mobile-app` and a campaign of it; the campaign's id. */
async function createAppAndCampaign(t: TestApp): Promise<number> {
  await t
    .http()
    .post('/admin/app/create')
    .send({ requestObject: { appId: 'mobile-app' } })
    .expect(200);
  const created = await t
    .http()
    .post('/push/campaign/create')
    .send({ requestObject: { appId: 'mobile-app', message: { title: 'Hi' } } })
    .expect(200);
  return created.body.responseObject.id;
}
