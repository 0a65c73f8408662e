import { API_SCOPES } from '../../src/modules/auth/api-scopes';
import { call, createClient, forbidden, HttpMethod, TestClient } from '../support/api-clients';
import {
  appCredentialsId,
  deliveredTokens,
  insertCampaign,
  insertDevices,
  RawDevice,
} from '../support/campaign-fixture';
import { base64 } from '../support/credentials';
import { DeliveryFixture, eventually, startDeliveryFixture } from '../support/delivery-fixture';
import { FakePowerAuthServer } from '../support/fake-powerauth-server';

/**
 * A client with every scope but restricted to app-a, next to app-b (both configured against the provider emulators, so
 * sends really go out): every endpoint that names an app, a device, a campaign or an inbox message answers 403 for
 * app-b's and changes no row, and works on app-a's. A client without restriction reaches both.
 */

type Body = Record<string, unknown>;

const A = 'app-a';
const B = 'app-b';
const OK = { status: 'OK' };
const onApp = (appId: string) => forbidden(`API client is not allowed to act on app ${appId}`);
const onCampaign = (id: number) => forbidden(`API client is not allowed to act on campaign ${id}`);
const onMessage = (id: string) => forbidden(`API client is not allowed to act on inbox message ${id}`);
const counters = (sent: number, failed: number, pending: number, total: number) => ({
  sent,
  failed,
  pending,
  total,
});
const zero = counters(0, 0, 0, 0);
const CAMPAIGN_MESSAGE = { title: 'Offer', body: 'Half price' };

const bool = (value: unknown) => value === true || Number(value) === 1;

describe('API clients restricted to some apps', () => {
  let f: DeliveryFixture;
  const powerAuth = new FakePowerAuthServer();
  let restricted: TestClient;
  let unrestricted: TestClient;
  const pk: Record<string, number> = {};

  const sql = <T = Body>(query: string, parameters?: unknown[]) => f.t.sql<T>(query, parameters);

  function credentialsOf(appId: string) {
    const { apns, fcm, hms } = f.credentials;
    return {
      apns: {
        appId,
        bundle: apns.bundle,
        keyId: apns.keyId,
        teamId: apns.teamId,
        environment: 'production',
        privateKeyBase64: base64(apns.privateKeyPem),
      },
      fcm: { appId, projectId: fcm.projectId, privateKeyBase64: base64(fcm.serviceAccountJson) },
      hms: { appId, projectId: hms.projectId, clientId: hms.clientId, clientSecret: hms.clientSecret },
    };
  }

  async function configure(client: TestClient, appId: string): Promise<void> {
    const credentials = credentialsOf(appId);
    for (const platform of ['apns', 'fcm', 'hms'] as const) {
      const response = await client
        .http()
        .put(`/admin/app/${platform}`)
        .send({ requestObject: credentials[platform] });
      expect({ platform, body: response.body }).toEqual({ platform, body: OK });
    }
  }

  /** The whole push_app_credentials row (secrets included), to prove a refused call changed nothing. */
  async function appRow(appId: string): Promise<Body> {
    const [row] = await sql('SELECT * FROM push_app_credentials WHERE app_id = ?', [appId]);
    return row;
  }

  async function appIds(): Promise<string[]> {
    const rows = await sql<{ app_id: string }>('SELECT app_id FROM push_app_credentials');
    return rows.map((row) => row.app_id).sort();
  }

  /** The app ID of a push_app_credentials id (PostgreSQL caches sequences: ids are not in creation order). */
  const appOf = (id: number) => Object.keys(pk).find((appId) => pk[appId] === id) ?? `#${id}`;

  /** push_device_registration rows with these tokens, normalized, by token and app. */
  async function devices(...tokens: string[]) {
    const rows = await sql(
      `SELECT id, activation_id, user_id, app_id, platform, push_token, is_active FROM push_device_registration ` +
        `WHERE push_token IN (${tokens.map(() => '?').join(', ')})`,
      tokens,
    );
    return rows
      .map((row) => ({
        id: Number(row.id),
        activation_id: row.activation_id,
        user_id: row.user_id,
        app: appOf(Number(row.app_id)),
        platform: row.platform,
        push_token: row.push_token,
        is_active: bool(row.is_active),
      }))
      .sort((x, y) => String(x.push_token).localeCompare(String(y.push_token)) || x.app.localeCompare(y.app));
  }

  const device = (app: string, userId: string, token: string, activationId: string): RawDevice => ({
    appCredentialsId: pk[app],
    userId,
    platform: 'fcm',
    token,
    activationId,
  });

  async function pushMessagesTo(...tokens: string[]): Promise<number> {
    const [row] = await sql<{ n: unknown }>(
      'SELECT COUNT(*) AS n FROM push_message m JOIN push_device_registration d ON d.id = m.device_registration_id ' +
        `WHERE d.push_token IN (${tokens.map(() => '?').join(', ')})`,
      tokens,
    );
    return Number(row.n);
  }

  beforeAll(async () => {
    const powerAuthUrl = await powerAuth.start();
    powerAuth.applications = [A, B, 'app-c'];
    f = await startDeliveryFixture({
      env: { POWERAUTH_SERVICE_URL: powerAuthUrl, MULTIPLE_ACTIVATIONS_ENABLED: 'true' },
    });
    restricted = await createClient(f.t, 'only-app-a', [...API_SCOPES], [A]);
    unrestricted = await createClient(f.t, 'every-app', [...API_SCOPES]);
    // The restricted client sets up its own app; app-b is someone else's.
    expect(
      (
        await restricted
          .http()
          .post('/admin/app/create')
          .send({ requestObject: { appId: A } })
      ).body,
    ).toEqual({ status: 'OK', responseObject: { appId: A } });
    await configure(restricted, A);
    await unrestricted
      .http()
      .post('/admin/app/create')
      .send({ requestObject: { appId: B } })
      .expect(200);
    await configure(unrestricted, B);
    pk[A] = await appCredentialsId(f.t.dataSource, A);
    pk[B] = await appCredentialsId(f.t.dataSource, B);
  });
  afterAll(async () => {
    await f.close();
    await powerAuth.stop();
  });
  beforeEach(() => f.emulator.reset());

  describe('devices', () => {
    const registration = (appId: string, token: string, activationId: string) => ({
      appId,
      activationId,
      token,
      platform: 'fcm',
      userId: 'device-user',
      activationStatus: 'ACTIVE',
    });

    it('POST /push/device/create: 403 for app-b (no row), 200 for app-a', async () => {
      const refused = await restricted
        .http()
        .post('/push/device/create')
        .send({ requestObject: registration(B, 'create-b', 'act-create-b') });
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onApp(B) });
      expect(await devices('create-b')).toEqual([]);

      await restricted
        .http()
        .post('/push/device/create')
        .send({ requestObject: registration(A, 'create-a', 'act-create-a') })
        .expect(200, OK);
      expect(await devices('create-a')).toEqual([
        {
          id: expect.any(Number),
          activation_id: 'act-create-a',
          user_id: 'device-user',
          app: A,
          platform: 'fcm',
          push_token: 'create-a',
          is_active: true,
        },
      ]);
    });

    it('POST /push/device/create/multi: 403 for app-b (no row), 200 for app-a', async () => {
      const multi = (appId: string, token: string) => ({
        appId,
        activationIds: [`act-${token}-1`, `act-${token}-2`],
        token,
        platform: 'fcm',
        userId: 'device-user',
        activationStatus: 'ACTIVE',
      });
      const refused = await restricted
        .http()
        .post('/push/device/create/multi')
        .send({ requestObject: multi(B, 'multi-b') });
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onApp(B) });
      expect(await devices('multi-b')).toEqual([]);

      await restricted
        .http()
        .post('/push/device/create/multi')
        .send({ requestObject: multi(A, 'multi-a') })
        .expect(200, OK);
      expect((await devices('multi-a')).map((row) => [row.activation_id, row.app]).sort()).toEqual([
        ['act-multi-a-1', A],
        ['act-multi-a-2', A],
      ]);
    });

    describe.each([
      ['POST', '/push/device/delete'],
      ['DELETE', '/push/device/delete'],
      ['POST', '/push/device/remove'],
      ['DELETE', '/push/device/remove'],
    ] as Array<[HttpMethod, string]>)('%s %s', (method, path) => {
      it("403 for app-b's device (row kept), 200 for app-a's (only its row goes)", async () => {
        const token = `delete-${method}-${path.split('/').pop()}`;
        await insertDevices(f.t.dataSource, [
          device(A, 'device-user', token, `act-${token}-a`),
          device(B, 'device-user', token, `act-${token}-b`),
        ]);
        const before = await devices(token);
        expect(before.map((row) => row.app)).toEqual([A, B]);

        const refused = await call(restricted.http(), method, path).send({
          requestObject: { appId: B, token },
        });
        expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onApp(B) });
        expect(await devices(token)).toEqual(before);

        const done = await call(restricted.http(), method, path).send({ requestObject: { appId: A, token } });
        expect({ status: done.status, body: done.body }).toEqual({ status: 200, body: OK });
        expect(await devices(token)).toEqual([before[1]]);
      });
    });

    describe('a registration for app-a that would take over a device row of app-b', () => {
      // [case, token of the app-b row, path, request]: the row of app-b is found by (activation, token) or by activation alone.
      it.each([
        [
          'create, same activation and token',
          'takeover-1',
          '/push/device/create',
          (token: string) => registration(A, token, `act-${token}`),
        ],
        [
          'create, same activation, new token',
          'takeover-2',
          '/push/device/create',
          (token: string) => registration(A, `${token}-new`, `act-${token}`),
        ],
        [
          'create/multi, same activation',
          'takeover-3',
          '/push/device/create/multi',
          (token: string) => ({
            ...registration(A, `${token}-new`, ''),
            activationId: undefined,
            activationIds: [`act-${token}`],
          }),
        ],
      ])('%s: 403, the row of app-b unchanged, no new row', async (_, token, path, body) => {
        await insertDevices(f.t.dataSource, [device(B, 'device-user', token, `act-${token}`)]);
        const before = await devices(token, `${token}-new`);
        expect(before).toHaveLength(1);

        const refused = await restricted
          .http()
          .post(path)
          .send({ requestObject: body(token) });
        // The answer does not name app-b: the caller learns nothing about apps beyond its own.
        expect({ status: refused.status, body: refused.body }).toEqual({
          status: 403,
          body: forbidden('API client is not allowed to act on a device of another app'),
        });
        expect(await devices(token, `${token}-new`)).toEqual(before);

        // The same registration by a client of both apps moves the row to app-a, as registration does.
        await unrestricted
          .http()
          .post(path)
          .send({ requestObject: body(token) })
          .expect(200, OK);
        const after = await devices(token, `${token}-new`);
        expect(after.map((row) => [row.id, row.app])).toEqual([[before[0].id, A]]);
      });
    });

    describe.each(['POST', 'PUT'] as HttpMethod[])('%s /push/device/status/update', (method) => {
      // An activation has one device row (push_device_activation is unique): the callback names no app, so a client
      // restricted to app-a changes the rows of app-a only and answers OK for the others, as for an unknown activation.
      it("changes the activation's row in app-a, not one in app-b; a client of every app changes both", async () => {
        const [ta, tb] = [`status-${method}-a`, `status-${method}-b`];
        const [activationA, activationB] = [`act-${ta}`, `act-${tb}`];
        await insertDevices(f.t.dataSource, [
          device(A, 'device-user', ta, activationA),
          device(B, 'device-user', tb, activationB),
        ]);
        const before = await devices(ta, tb);
        expect(before.map((row) => row.is_active)).toEqual([true, true]);
        const update = (client: TestClient, activationId: string) =>
          call(client.http(), method, '/push/device/status/update').send({
            activationId,
            activationStatus: 'BLOCKED',
          });

        const untouched = await update(restricted, activationB);
        expect({ status: untouched.status, body: untouched.body }).toEqual({ status: 200, body: OK });
        expect(await devices(ta, tb)).toEqual(before);

        const changed = await update(restricted, activationA);
        expect({ status: changed.status, body: changed.body }).toEqual({ status: 200, body: OK });
        expect(await devices(ta, tb)).toEqual([{ ...before[0], is_active: false }, before[1]]);

        await update(unrestricted, activationB).expect(200, OK);
        expect(await devices(ta, tb)).toEqual([
          { ...before[0], is_active: false },
          { ...before[1], is_active: false },
        ]);
      });
    });
  });

  describe('messages', () => {
    const [tokenA, tokenB] = ['msg-token-a', 'msg-token-b'];

    beforeAll(() =>
      insertDevices(f.t.dataSource, [
        device(A, 'msg-user', tokenA, 'act-msg-a'),
        device(B, 'msg-user', tokenB, 'act-msg-b'),
      ]),
    );

    const single = (appId: string) => ({ appId, message: { userId: 'msg-user', body: { title: 'Hi' } } });
    const batch = (appId: string) => ({
      appId,
      batch: [
        { userId: 'msg-user', body: { title: 'One' } },
        { userId: 'msg-user', body: { title: 'Two' } },
      ],
    });

    it.each([
      ['/push/message/send', single, 1],
      ['/push/message/batch/send', batch, 2],
    ] as const)(
      'POST %s: 403 for app-b (nothing recorded or sent), 200 for app-a (its device only)',
      async (path, body, n) => {
        const before = await pushMessagesTo(tokenA, tokenB);
        const refused = await restricted
          .http()
          .post(path)
          .send({ requestObject: body(B) });
        expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onApp(B) });
        expect(await pushMessagesTo(tokenA, tokenB)).toBe(before);
        expect(f.emulator.counts()).toMatchObject({ apns: 0, fcm: 0, hms: 0 });

        const response = await restricted
          .http()
          .post(path)
          .send({ requestObject: body(A) });
        expect({ status: response.status, body: response.body }).toEqual({
          status: 200,
          body: {
            status: 'OK',
            responseObject: { mode: 'SYNCHRONOUS', apns: zero, fcm: counters(n, 0, 0, n), hms: zero },
          },
        });
        expect(
          [...deliveredTokens(f.emulator).entries()].map(([token, times]) => [token, times.length]),
        ).toEqual([[tokenA, n]]);
        expect(await pushMessagesTo(tokenB)).toBe(0);
      },
    );
  });

  describe('campaigns', () => {
    const [tokenA, tokenB] = ['camp-token-a', 'camp-token-b'];

    beforeAll(() =>
      insertDevices(f.t.dataSource, [
        device(A, 'camp-user', tokenA, 'act-camp-a'),
        device(B, 'camp-user', tokenB, 'act-camp-b'),
      ]),
    );

    const campaignIn = (app: string, users = ['camp-user']) =>
      insertCampaign(f.t.dataSource, pk[app], CAMPAIGN_MESSAGE, users);

    async function campaignRow(id: number) {
      const rows = await sql('SELECT id, app_id, message, is_sent FROM push_campaign WHERE id = ?', [id]);
      return rows.map((row) => ({
        id: Number(row.id),
        app_id: Number(row.app_id),
        message: row.message,
        sent: bool(row.is_sent),
      }));
    }

    async function campaignUsers(id: number): Promise<string[]> {
      const rows = await sql<{ user_id: string }>(
        'SELECT user_id FROM push_campaign_user WHERE campaign_id = ?',
        [id],
      );
      return rows.map((row) => row.user_id).sort();
    }

    it('POST /push/campaign/create: 403 for app-b (no row), 200 for app-a', async () => {
      const [count] = await sql<{ n: unknown }>('SELECT COUNT(*) AS n FROM push_campaign');
      const refused = await restricted
        .http()
        .post('/push/campaign/create')
        .send({ requestObject: { appId: B, message: CAMPAIGN_MESSAGE } });
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onApp(B) });
      const [after] = await sql<{ n: unknown }>('SELECT COUNT(*) AS n FROM push_campaign');
      expect(Number(after.n)).toBe(Number(count.n));

      const created = await restricted
        .http()
        .post('/push/campaign/create')
        .send({ requestObject: { appId: A, message: CAMPAIGN_MESSAGE } })
        .expect(200);
      const id = created.body.responseObject.id as number;
      expect(await campaignRow(id)).toEqual([
        { id, app_id: pk[A], message: JSON.stringify(CAMPAIGN_MESSAGE), sent: false },
      ]);
    });

    it('GET /push/campaign/{id}/detail: 403 for a campaign of app-b, 200 for one of app-a', async () => {
      const [a, b] = [await campaignIn(A), await campaignIn(B)];
      const refused = await restricted.http().get(`/push/campaign/${b}/detail`);
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onCampaign(b) });
      expect((await restricted.http().get(`/push/campaign/${a}/detail`).expect(200)).body).toEqual({
        status: 'OK',
        responseObject: { id: a, appId: A, sent: false, message: CAMPAIGN_MESSAGE },
      });
      expect(
        (await unrestricted.http().get(`/push/campaign/${b}/detail`).expect(200)).body.responseObject,
      ).toEqual({ id: b, appId: B, sent: false, message: CAMPAIGN_MESSAGE });
    });

    it('GET /push/campaign/list: only the campaigns of app-a; a client of every app gets both', async () => {
      const [a, b] = [await campaignIn(A), await campaignIn(B)];
      for (const query of ['', '?all=true']) {
        const listed = (await restricted.http().get(`/push/campaign/list${query}`).expect(200)).body
          .responseObject as Body[];
        expect(listed.map((campaign) => campaign.id)).toContain(a);
        expect(listed.map((campaign) => campaign.id)).not.toContain(b);
        expect(new Set(listed.map((campaign) => campaign.appId))).toEqual(new Set([A]));
        const all = (await unrestricted.http().get(`/push/campaign/list${query}`).expect(200)).body
          .responseObject as Body[];
        expect(all.map((campaign) => campaign.id)).toEqual(expect.arrayContaining([a, b]));
      }
    });

    describe.each(['POST', 'DELETE'] as HttpMethod[])('%s /push/campaign/{id}/delete', (method) => {
      it('403 for a campaign of app-b (row and users kept), 200 for one of app-a', async () => {
        const [a, b] = [await campaignIn(A), await campaignIn(B)];
        const before = await campaignRow(b);
        const refused = await call(restricted.http(), method, `/push/campaign/${b}/delete`);
        expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onCampaign(b) });
        expect(await campaignRow(b)).toEqual(before);
        expect(await campaignUsers(b)).toEqual(['camp-user']);

        const done = await call(restricted.http(), method, `/push/campaign/${a}/delete`);
        expect({ status: done.status, body: done.body }).toEqual({
          status: 200,
          body: { status: 'OK', responseObject: { deleted: true } },
        });
        expect(await campaignRow(a)).toEqual([]);
        expect(await campaignUsers(a)).toEqual([]);
      });
    });

    describe.each(['POST', 'PUT'] as HttpMethod[])('%s /push/campaign/{id}/user/add', (method) => {
      it('403 for a campaign of app-b (no user added), 200 for one of app-a', async () => {
        const [a, b] = [await campaignIn(A), await campaignIn(B)];
        const refused = await call(restricted.http(), method, `/push/campaign/${b}/user/add`).send({
          requestObject: ['added-1', 'added-2'],
        });
        expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onCampaign(b) });
        expect(await campaignUsers(b)).toEqual(['camp-user']);

        const done = await call(restricted.http(), method, `/push/campaign/${a}/user/add`).send({
          requestObject: ['added-1', 'added-2'],
        });
        expect({ status: done.status, body: done.body }).toEqual({ status: 200, body: OK });
        expect(await campaignUsers(a)).toEqual(['added-1', 'added-2', 'camp-user']);
      });
    });

    it('GET /push/campaign/{id}/user/list: 403 for a campaign of app-b, 200 for one of app-a', async () => {
      const [a, b] = [await campaignIn(A, ['u1', 'u2']), await campaignIn(B, ['u3'])];
      const refused = await restricted.http().get(`/push/campaign/${b}/user/list`);
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onCampaign(b) });
      expect((await restricted.http().get(`/push/campaign/${a}/user/list`).expect(200)).body).toEqual({
        status: 'OK',
        responseObject: { campaignId: a, users: ['u1', 'u2'] },
        page: 0,
        size: 20,
      });
    });

    describe.each(['POST', 'DELETE'] as HttpMethod[])('%s /push/campaign/{id}/user/delete', (method) => {
      it('403 for a campaign of app-b (users kept), 200 for one of app-a', async () => {
        const [a, b] = [await campaignIn(A, ['u1', 'u2']), await campaignIn(B, ['u1', 'u2'])];
        const refused = await call(restricted.http(), method, `/push/campaign/${b}/user/delete`).send({
          requestObject: ['u1'],
        });
        expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onCampaign(b) });
        expect(await campaignUsers(b)).toEqual(['u1', 'u2']);

        const done = await call(restricted.http(), method, `/push/campaign/${a}/user/delete`).send({
          requestObject: ['u1'],
        });
        expect({ status: done.status, body: done.body }).toEqual({ status: 200, body: OK });
        expect(await campaignUsers(a)).toEqual(['u2']);
      });
    });

    it("POST /push/campaign/send/test/{id}: 403 for a campaign of app-b (nothing sent), 200 for app-a's", async () => {
      const [a, b] = [await campaignIn(A), await campaignIn(B)];
      const refused = await restricted
        .http()
        .post(`/push/campaign/send/test/${b}`)
        .send({ requestObject: { userId: 'camp-user' } });
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onCampaign(b) });
      expect(f.emulator.counts()).toMatchObject({ apns: 0, fcm: 0, hms: 0 });
      expect(await pushMessagesTo(tokenB)).toBe(0);

      await restricted
        .http()
        .post(`/push/campaign/send/test/${a}`)
        .send({ requestObject: { userId: 'camp-user' } })
        .expect(200, OK);
      expect([...deliveredTokens(f.emulator).keys()]).toEqual([tokenA]);
      expect(await pushMessagesTo(tokenB)).toBe(0);
    });

    it('POST /push/campaign/send/live/{id} and GET {id}/progress: 403 for a campaign of app-b, 200 for app-a', async () => {
      const [a, b] = [await campaignIn(A), await campaignIn(B)];
      const refused = await restricted.http().post(`/push/campaign/send/live/${b}`).send();
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onCampaign(b) });
      const progressOfB = await restricted.http().get(`/push/campaign/${b}/progress`);
      expect({ status: progressOfB.status, body: progressOfB.body }).toEqual({
        status: 403,
        body: onCampaign(b),
      });
      expect(await sql('SELECT campaign_id FROM push_campaign_run WHERE campaign_id = ?', [b])).toEqual([]);
      expect((await campaignRow(b))[0].sent).toBe(false);

      await restricted.http().post(`/push/campaign/send/live/${a}`).send().expect(200, OK);
      await eventually(async () => {
        const progress = await restricted.http().get(`/push/campaign/${a}/progress`).expect(200);
        expect(progress.body.responseObject).toMatchObject({
          campaignId: a,
          state: 'COMPLETED',
          total: 1,
          sent: 1,
        });
      }, 20000);
      expect([...deliveredTokens(f.emulator).keys()]).toEqual([tokenA]);
      expect((await campaignRow(b))[0].sent).toBe(false);
    });

    it('a campaign whose app is gone is out of reach of a restricted client, not of a client of every app', async () => {
      const orphan = await insertCampaign(f.t.dataSource, 987654, CAMPAIGN_MESSAGE, ['camp-user']);
      for (const [method, path] of [
        ['GET', `/push/campaign/${orphan}/detail`],
        ['GET', `/push/campaign/${orphan}/user/list`],
        ['GET', `/push/campaign/${orphan}/progress`],
        ['POST', `/push/campaign/${orphan}/delete`],
      ] as Array<[HttpMethod, string]>) {
        const refused = await call(restricted.http(), method, path);
        expect({ path, status: refused.status, body: refused.body }).toEqual({
          path,
          status: 403,
          body: onCampaign(orphan),
        });
      }
      const listed = (await restricted.http().get('/push/campaign/list?all=true').expect(200)).body
        .responseObject as Body[];
      expect(listed.map((campaign) => campaign.id)).not.toContain(orphan);
      expect(
        (await unrestricted.http().get(`/push/campaign/${orphan}/detail`).expect(200)).body.responseObject,
      ).toEqual({ id: orphan, sent: false, message: CAMPAIGN_MESSAGE });
    });
  });

  describe('inbox', () => {
    const message = (userId: string, applications: string[]) => ({
      userId,
      type: 'text',
      subject: 'Example subject',
      summary: 'Example summary',
      body: 'Example message body',
      applications,
    });

    async function post(userId: string, applications: string[]): Promise<string> {
      const response = await unrestricted
        .http()
        .post('/inbox/messages')
        .send({ requestObject: message(userId, applications) })
        .expect(200);
      return response.body.responseObject.id as string;
    }

    /** is_read of push_inbox rows, by public id. */
    async function readFlags(...ids: string[]): Promise<boolean[]> {
      const rows = await sql('SELECT inbox_id, is_read FROM push_inbox');
      const flags = new Map(rows.map((row) => [String(row.inbox_id), bool(row.is_read)]));
      return ids.map((id) => flags.get(id)!);
    }

    it('POST /inbox/messages: 403 when app-b is among the applications (no row), 200 for app-a alone', async () => {
      const count = async () =>
        Number((await sql<{ n: unknown }>('SELECT COUNT(*) AS n FROM push_inbox'))[0].n);
      const before = await count();
      for (const applications of [[A, B], [B], [B, A]]) {
        const refused = await restricted
          .http()
          .post('/inbox/messages')
          .send({ requestObject: message('inbox-post', applications) });
        expect({ applications, status: refused.status, body: refused.body }).toEqual({
          applications,
          status: 403,
          body: onApp(B),
        });
      }
      expect(await count()).toBe(before);

      const done = await restricted
        .http()
        .post('/inbox/messages')
        .send({ requestObject: message('inbox-post', [A]) })
        .expect(200);
      expect(done.body.responseObject).toMatchObject({
        userId: 'inbox-post',
        applications: [A],
        read: false,
      });
      expect(await count()).toBe(before + 1);
    });

    it('GET /inbox/messages/list: 403 when app-b is among the applications, 200 for app-a', async () => {
      const [a, b, ab] = [
        await post('inbox-list', [A]),
        await post('inbox-list', [B]),
        await post('inbox-list', [A, B]),
      ];
      for (const applications of [B, `${A},${B}`]) {
        const refused = await restricted
          .http()
          .get(`/inbox/messages/list?userId=inbox-list&applications=${applications}`);
        expect({ applications, status: refused.status, body: refused.body }).toEqual({
          applications,
          status: 403,
          body: onApp(B),
        });
      }
      const listed = await restricted
        .http()
        .get(`/inbox/messages/list?userId=inbox-list&applications=${A}`)
        .expect(200);
      expect((listed.body.responseObject as Body[]).map((item) => item.id).sort()).toEqual([a, ab].sort());
      const all = await unrestricted
        .http()
        .get(`/inbox/messages/list?userId=inbox-list&applications=${A},${B}`)
        .expect(200);
      expect((all.body.responseObject as Body[]).map((item) => item.id).sort()).toEqual([a, b, ab].sort());
    });

    it('GET /inbox/messages/count: 403 for app-b, 200 for app-a', async () => {
      await post('inbox-count', [A]);
      await post('inbox-count', [B]);
      await post('inbox-count', [B]);
      const refused = await restricted.http().get(`/inbox/messages/count?userId=inbox-count&appId=${B}`);
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onApp(B) });
      expect(
        (await restricted.http().get(`/inbox/messages/count?userId=inbox-count&appId=${A}`).expect(200)).body,
      ).toEqual({ status: 'OK', responseObject: { countUnread: 1 } });
      expect(
        (await unrestricted.http().get(`/inbox/messages/count?userId=inbox-count&appId=${B}`).expect(200))
          .body,
      ).toEqual({ status: 'OK', responseObject: { countUnread: 2 } });
    });

    it('GET /inbox/messages/detail: 403 for a message of app-b only, 200 for one in app-a (alone or with app-b)', async () => {
      const [a, b, ab] = [
        await post('inbox-detail', [A]),
        await post('inbox-detail', [B]),
        await post('inbox-detail', [A, B]),
      ];
      const refused = await restricted.http().get(`/inbox/messages/detail?id=${b}`);
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onMessage(b) });
      for (const [id, applications] of [
        [a, [A]],
        [ab, [A, B]],
      ] as Array<[string, string[]]>) {
        const response = await restricted.http().get(`/inbox/messages/detail?id=${id}`).expect(200);
        expect(response.body.responseObject).toMatchObject({
          id,
          userId: 'inbox-detail',
          applications,
          read: false,
        });
      }
      expect(
        (await unrestricted.http().get(`/inbox/messages/detail?id=${b}`).expect(200)).body.responseObject,
      ).toMatchObject({ id: b, applications: [B] });
    });

    describe.each(['POST', 'PUT'] as HttpMethod[])('%s /inbox/messages/read', (method) => {
      it('403 for a message of app-b only (stays unread), 200 for one also in app-a', async () => {
        const [b, ab] = [await post('inbox-read', [B]), await post('inbox-read', [A, B])];
        const refused = await call(restricted.http(), method, '/inbox/messages/read').send({
          requestObject: { inboxId: b },
        });
        expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onMessage(b) });
        expect(await readFlags(b, ab)).toEqual([false, false]);

        const done = await call(restricted.http(), method, '/inbox/messages/read').send({
          requestObject: { inboxId: ab },
        });
        expect({ status: done.status, read: done.body.responseObject?.read }).toEqual({
          status: 200,
          read: true,
        });
        expect(await readFlags(b, ab)).toEqual([false, true]);
      });
    });

    describe.each(['POST', 'PUT'] as HttpMethod[])('%s /inbox/messages/read-all', (method) => {
      it("403 for app-b (nothing read), 200 for app-a (app-a's messages read, app-b-only ones not)", async () => {
        const userId = `inbox-read-all-${method}`;
        const [a, b, ab] = [await post(userId, [A]), await post(userId, [B]), await post(userId, [A, B])];
        const refused = await call(restricted.http(), method, '/inbox/messages/read-all').send({
          requestObject: { userId, appId: B },
        });
        expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onApp(B) });
        expect(await readFlags(a, b, ab)).toEqual([false, false, false]);

        const done = await call(restricted.http(), method, '/inbox/messages/read-all').send({
          requestObject: { userId, appId: A },
        });
        expect({ status: done.status, body: done.body }).toEqual({ status: 200, body: OK });
        expect(await readFlags(a, b, ab)).toEqual([true, false, true]);
      });
    });
  });

  describe('administration', () => {
    it('GET /admin/app/list: only app-a; a client of every app gets every app', async () => {
      const configured = { apns: true, fcm: true, hms: true };
      expect((await restricted.http().get('/admin/app/list').expect(200)).body).toEqual({
        status: 'OK',
        responseObject: { applicationList: [{ appId: A, ...configured }] },
      });
      const all = (await unrestricted.http().get('/admin/app/list').expect(200)).body.responseObject
        .applicationList as Body[];
      expect(all.map((app) => app.appId).sort()).toEqual([A, B, 'mobile-app']);
    });

    it("GET /admin/app/unconfigured/list: none of the PowerAuth apps outside the client's", async () => {
      // PowerAuth knows app-a, app-b and app-c; app-c has no push configuration, but is not the client's.
      expect((await restricted.http().get('/admin/app/unconfigured/list').expect(200)).body).toEqual({
        status: 'OK',
        responseObject: { applicationList: [] },
      });
      expect((await unrestricted.http().get('/admin/app/unconfigured/list').expect(200)).body).toEqual({
        status: 'OK',
        responseObject: { applicationList: [{ appId: 'app-c' }] },
      });
    });

    it('POST /admin/app/detail: 403 for app-b and for an app that does not exist, 200 for app-a', async () => {
      for (const appId of [B, 'app-c']) {
        const refused = await restricted.http().post('/admin/app/detail').send({ requestObject: { appId } });
        expect({ appId, status: refused.status, body: refused.body }).toEqual({
          appId,
          status: 403,
          body: onApp(appId),
        });
      }
      const application = (appId: string) => ({ appId, apns: true, fcm: true, hms: true });
      expect(
        (
          await restricted
            .http()
            .post('/admin/app/detail')
            .send({ requestObject: { appId: A } })
            .expect(200)
        ).body,
      ).toEqual({ status: 'OK', responseObject: { application: application(A) } });
      expect(
        (
          await unrestricted
            .http()
            .post('/admin/app/detail')
            .send({ requestObject: { appId: B } })
            .expect(200)
        ).body,
      ).toEqual({ status: 'OK', responseObject: { application: application(B) } });
    });

    it('POST /admin/app/create: 403 for an app outside the list, existing or not; app-a is reached', async () => {
      const before = await appIds();
      for (const appId of ['app-c', B]) {
        const refused = await restricted.http().post('/admin/app/create').send({ requestObject: { appId } });
        expect({ appId, status: refused.status, body: refused.body }).toEqual({
          appId,
          status: 403,
          body: onApp(appId),
        });
      }
      expect(await appIds()).toEqual(before);
      // app-a was created by this client in beforeAll; a second create gets past the access check.
      expect(
        (
          await restricted
            .http()
            .post('/admin/app/create')
            .send({ requestObject: { appId: A } })
            .expect(400)
        ).body,
      ).toEqual({
        status: 'ERROR',
        responseObject: { code: 'ERROR_GENERIC', message: 'Application already exists' },
      });
    });

    type Platform = 'apns' | 'fcm' | 'hms';
    interface AdminWrite {
      method: HttpMethod;
      path: string;
      platform: Platform;
      /** Credentials uploaded (with a marker in a plain column), or removed. */
      kind: 'update' | 'remove';
      /** Removes name the app in the query (DELETE /admin/app/{platform}) or in the body. */
      inQuery?: boolean;
    }
    const MARKED_COLUMN: Record<Platform, string> = {
      apns: 'apns_team_id',
      fcm: 'fcm_project_id',
      hms: 'hms_project_id',
    };
    const COLUMNS: Record<Platform, string[]> = {
      apns: ['apns_private_key', 'apns_bundle', 'apns_key_id', 'apns_team_id', 'apns_environment'],
      fcm: ['fcm_private_key', 'fcm_project_id'],
      hms: ['hms_project_id', 'hms_client_id', 'hms_client_secret'],
    };
    const writes: AdminWrite[] = [];
    for (const [platform, legacy] of [
      ['apns', 'ios'],
      ['fcm', 'android'],
      ['hms', 'huawei'],
    ] as Array<[Platform, string]>) {
      writes.push(
        { method: 'POST', path: `/admin/app/${platform}`, platform, kind: 'update' },
        { method: 'PUT', path: `/admin/app/${platform}`, platform, kind: 'update' },
        { method: 'DELETE', path: `/admin/app/${platform}`, platform, kind: 'remove', inQuery: true },
        { method: 'POST', path: `/admin/app/${legacy}/update`, platform, kind: 'update' },
        { method: 'PUT', path: `/admin/app/${legacy}/update`, platform, kind: 'update' },
        { method: 'POST', path: `/admin/app/${legacy}/remove`, platform, kind: 'remove' },
        { method: 'DELETE', path: `/admin/app/${legacy}/remove`, platform, kind: 'remove' },
      );
    }

    it('covers 21 credential endpoints', () => expect(writes).toHaveLength(21));

    describe.each(writes.map((write) => [`${write.method} ${write.path}`, write] as const))(
      '%s',
      (_, write) => {
        const request = (appId: string) => {
          const marker = `marker-${write.method}-${write.path.replace(/\//g, '-')}`;
          if (write.inQuery) return call(restricted.http(), write.method, `${write.path}?appId=${appId}`);
          const requestObject =
            write.kind === 'remove'
              ? { appId }
              : {
                  ...credentialsOf(appId)[write.platform],
                  ...(write.platform === 'apns' ? { teamId: marker } : { projectId: marker }),
                };
          return call(restricted.http(), write.method, write.path).send({ requestObject });
        };

        it('403 for app-b (its row unchanged), 200 for app-a (its row changed)', async () => {
          const [beforeA, beforeB] = [await appRow(A), await appRow(B)];
          const refused = await request(B);
          expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: onApp(B) });
          expect(await appRow(B)).toEqual(beforeB);
          expect(await appRow(A)).toEqual(beforeA);

          const done = await request(A);
          expect({ status: done.status, body: done.body }).toEqual({ status: 200, body: OK });
          const afterA = await appRow(A);
          if (write.kind === 'remove') {
            for (const column of COLUMNS[write.platform])
              expect({ column, value: afterA[column] }).toEqual({ column, value: null });
          } else {
            expect(afterA[MARKED_COLUMN[write.platform]]).toMatch(/^marker-/);
            expect(afterA[MARKED_COLUMN[write.platform]]).not.toEqual(beforeA[MARKED_COLUMN[write.platform]]);
          }
          expect(await appRow(B)).toEqual(beforeB);

          // Back to the working credentials, by the restricted client (which may).
          await configure(restricted, A);
        });
      },
    );
  });

  it('a client of every app reaches the resources of app-b that the restricted client may not', async () => {
    const campaign = await insertCampaign(f.t.dataSource, pk[B], CAMPAIGN_MESSAGE, ['camp-user']);
    const inbox = (
      await unrestricted
        .http()
        .post('/inbox/messages')
        .send({
          requestObject: {
            userId: 'every',
            type: 'text',
            subject: 'Example subject',
            summary: 'Example summary',
            body: 'Example message body',
            applications: [B],
          },
        })
        .expect(200)
    ).body.responseObject.id as string;
    const reads: Array<[HttpMethod, string, Body | undefined]> = [
      ['POST', '/admin/app/detail', { appId: B }],
      ['GET', `/push/campaign/${campaign}/detail`, undefined],
      ['GET', `/push/campaign/${campaign}/user/list`, undefined],
      ['GET', `/push/campaign/${campaign}/progress`, undefined],
      ['GET', `/inbox/messages/detail?id=${inbox}`, undefined],
      ['GET', `/inbox/messages/count?userId=every&appId=${B}`, undefined],
      ['GET', `/inbox/messages/list?userId=every&applications=${B}`, undefined],
    ];
    for (const [method, path, requestObject] of reads) {
      const denied = await call(restricted.http(), method, path).send(requestObject && { requestObject });
      const allowed = await call(unrestricted.http(), method, path).send(requestObject && { requestObject });
      expect({ path, restricted: denied.status, unrestricted: allowed.status }).toEqual({
        path,
        restricted: 403,
        unrestricted: 200,
      });
    }
  });
});
