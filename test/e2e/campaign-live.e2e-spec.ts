import {
  appCredentialsId,
  deliveredTokens,
  insertCampaign,
  insertDevices,
  RawDevice,
} from '../support/campaign-fixture';
import {
  configureApp,
  DeliveryFixture,
  eventually,
  hexToken,
  startDeliveryFixture,
} from '../support/delivery-fixture';

const MESSAGE = {
  title: 'Summer offer',
  body: 'Half price on all transfers',
  sound: 'default',
  extras: { offer: 7 },
};
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

/** Users u000…, each with an APNs, an FCM and an HMS device in `app`. */
function devicesOf(app: number, users: string[], tag = ''): RawDevice[] {
  return users.flatMap((userId, i) => [
    { appCredentialsId: app, userId, platform: 'apns', token: hexToken(`a${tag}`, i) },
    { appCredentialsId: app, userId, platform: 'fcm', token: `fcm${tag}-${userId}` },
    { appCredentialsId: app, userId, platform: 'hms', token: `hms${tag}-${userId}` },
  ]);
}

const usersNamed = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('live campaign send', () => {
  let f: DeliveryFixture;
  let app: number;
  let otherApp: number;

  beforeAll(async () => {
    // Small pages so that a handful of users already spans several pages.
    f = await startDeliveryFixture({ env: { CAMPAIGN_PAGE_USERS: '4', SEND_RECOVERY_INTERVAL_MS: '200' } });
    await configureApp(f.t, 'other-app', f.credentials);
    app = await appCredentialsId(f.t.dataSource, 'mobile-app');
    otherApp = await appCredentialsId(f.t.dataSource, 'other-app');
  });
  afterAll(() => f.close());
  beforeEach(() => f.emulator.reset());

  const http = () => f.t.http();
  const sendLive = (id: number | string) => http().post(`/push/campaign/send/live/${id}`).send();
  const progress = (id: number) => http().get(`/push/campaign/${id}/progress`);

  async function completed(id: number) {
    await eventually(
      async () => expect((await progress(id)).body.responseObject.state).toBe('COMPLETED'),
      20000,
    );
    return (await progress(id).expect(200)).body;
  }

  it('answers once queued, reaches every device of the users in the campaign app once, and records it all', async () => {
    const users = usersNamed('live-', 10);
    await insertDevices(f.t.dataSource, devicesOf(app, users));
    const id = await insertCampaign(f.t.dataSource, app, MESSAGE, users);

    const response = await sendLive(id).expect(200);
    expect(response.body).toEqual({ status: 'OK' });

    const body = await completed(id);
    expect(body).toEqual({
      status: 'OK',
      responseObject: {
        campaignId: id,
        state: 'COMPLETED',
        total: 30,
        sent: 30,
        failed: 0,
        pending: 0,
        timestampCreated: expect.stringMatching(ISO),
        timestampSent: expect.stringMatching(ISO),
        timestampCompleted: expect.stringMatching(ISO),
      },
    });
    const delivered = deliveredTokens(f.emulator);
    expect(delivered.size).toBe(30);
    expect([...delivered.values()].every((times) => times.length === 1)).toBe(true);

    // What a device received: the campaign message, HIGH priority, not silent.
    const apns = f.emulator.requests('apns')[0];
    expect(apns.headers['apns-priority']).toBe('10');
    expect(apns.body).toEqual({
      aps: { alert: { title: 'Summer offer', body: 'Half price on all transfers' }, sound: 'default' },
      offer: 7,
    });

    const rows = await f.t.sql<Record<string, unknown>>(
      'SELECT status, campaign_id, user_id, lease_owner FROM push_message WHERE campaign_id = ?',
      [id],
    );
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => Number(row.status) === 1 && row.lease_owner === null)).toBe(true);
    const [campaign] = await f.t.sql<Record<string, unknown>>(
      'SELECT is_sent, timestamp_sent, timestamp_completed FROM push_campaign WHERE id = ?',
      [id],
    );
    expect(campaign.is_sent === true || Number(campaign.is_sent) === 1).toBe(true);
    expect(campaign.timestamp_sent).not.toBeNull();
    expect(campaign.timestamp_completed).not.toBeNull();
    const [run] = await f.t.sql<Record<string, unknown>>(
      'SELECT state, lease_owner, users_done FROM push_campaign_run WHERE campaign_id = ?',
      [id],
    );
    expect(run.state).toBe('COMPLETED');
    expect(run.lease_owner).toBeNull();
  });

  it('reaches the HMS devices of a page with shared requests, each device with its own outcome', async () => {
    const users = usersNamed('hmsbatch-', 12);
    await insertDevices(f.t.dataSource, [
      ...users.map((userId) => ({
        appCredentialsId: app,
        userId,
        platform: 'hms',
        token: `hb-ok-${userId}`,
      })),
      { appCredentialsId: app, userId: 'hmsbatch-005', platform: 'hms', token: 'hb-dead-1' },
    ]);
    f.emulator.setBehaviour('hms', 'hb-dead-', { kind: 'bad-token' });
    const id = await insertCampaign(f.t.dataSource, app, MESSAGE, users);

    await sendLive(id).expect(200);
    expect((await completed(id)).responseObject).toMatchObject({ total: 13, sent: 12, failed: 1 });
    const requests = f.emulator.requests('hms');
    const tokens = requests.flatMap((r) => (r.body as { message: { token: string[] } }).message.token);
    expect(tokens.sort()).toEqual([...users.map((u) => `hb-ok-${u}`), 'hb-dead-1'].sort());
    // Pages of 4 users: far fewer requests than devices.
    expect(requests.length).toBeLessThanOrEqual(4);
    expect(await f.t.sql("SELECT id FROM push_device_registration WHERE push_token = 'hb-dead-1'")).toEqual(
      [],
    );
    const failed = await f.t.sql<{ last_error: string }>(
      'SELECT last_error FROM push_message WHERE campaign_id = ? AND status = -1',
      [id],
    );
    expect(failed).toHaveLength(1);
  });

  it('does not send to devices of the same users in another app', async () => {
    const users = usersNamed('apps-', 6);
    await insertDevices(f.t.dataSource, devicesOf(app, users, 'm'));
    await insertDevices(f.t.dataSource, devicesOf(otherApp, users, 'o'));
    const id = await insertCampaign(f.t.dataSource, app, MESSAGE, users);

    await sendLive(id).expect(200);
    expect((await completed(id)).responseObject.total).toBe(18);
    const tokens = [...deliveredTokens(f.emulator).keys()];
    expect(tokens).toHaveLength(18);
    expect(tokens.filter((token) => token.startsWith('ao') || token.includes('o-apps-'))).toEqual([]);
  });

  it('skips inactive devices and reaches a token shared by several users or rows only once, across pages', async () => {
    const users = usersNamed('share-', 9);
    await insertDevices(f.t.dataSource, [
      ...users.map((userId) => ({ appCredentialsId: app, userId, platform: 'fcm', token: `own-${userId}` })),
      // One phone, two users far apart (different pages), and a second row of the same token for the same user.
      { appCredentialsId: app, userId: 'share-000', platform: 'fcm', token: 'shared-phone' },
      { appCredentialsId: app, userId: 'share-008', platform: 'android', token: 'shared-phone' },
      { appCredentialsId: app, userId: 'share-004', platform: 'fcm', token: 'twice', activationId: 'a-1' },
      { appCredentialsId: app, userId: 'share-004', platform: 'fcm', token: 'twice', activationId: 'a-2' },
      // Blocked, and unknown (no PowerAuth): the first is skipped, the second sent.
      { appCredentialsId: app, userId: 'share-001', platform: 'fcm', token: 'blocked', active: false },
      { appCredentialsId: app, userId: 'share-002', platform: 'fcm', token: 'unknown', active: null },
    ]);
    const id = await insertCampaign(f.t.dataSource, app, MESSAGE, users);

    await sendLive(id).expect(200);
    const body = await completed(id);
    const delivered = deliveredTokens(f.emulator);
    expect([...delivered.keys()].sort()).toEqual(
      [...users.map((u) => `own-${u}`), 'shared-phone', 'twice', 'unknown'].sort(),
    );
    expect([...delivered.values()].every((times) => times.length === 1)).toBe(true);
    expect(body.responseObject).toMatchObject({ total: 12, sent: 12, failed: 0, pending: 0 });
  });

  it('counts dead tokens as failed, removes those devices, retries an outage, and still completes', async () => {
    const users = usersNamed('mixed-', 8);
    await insertDevices(f.t.dataSource, [
      ...users.map((userId) => ({
        appCredentialsId: app,
        userId,
        platform: 'fcm',
        token: `mixed-ok-${userId}`,
      })),
      { appCredentialsId: app, userId: 'mixed-003', platform: 'fcm', token: 'mixed-dead-1' },
      { appCredentialsId: app, userId: 'mixed-006', platform: 'fcm', token: 'mixed-flaky-1' },
    ]);
    f.emulator.setBehaviour('fcm', 'mixed-dead-', { kind: 'unregistered' });
    f.emulator.setBehaviour('fcm', 'mixed-flaky-', { kind: 'fail-times', times: 2 });
    const id = await insertCampaign(f.t.dataSource, app, MESSAGE, users);

    await sendLive(id).expect(200);
    const body = await completed(id);
    expect(body.responseObject).toMatchObject({
      state: 'COMPLETED',
      total: 10,
      sent: 9,
      failed: 1,
      pending: 0,
    });
    expect(
      await f.t.sql("SELECT id FROM push_device_registration WHERE push_token = 'mixed-dead-1'"),
    ).toEqual([]);
    expect(deliveredTokens(f.emulator).get('mixed-flaky-1')).toHaveLength(1);
  });

  it('refuses to send again a campaign that is being sent or was sent, and one that does not exist', async () => {
    const users = usersNamed('again-', 40);
    await insertDevices(
      f.t.dataSource,
      users.map((userId) => ({ appCredentialsId: app, userId, platform: 'fcm', token: `again-${userId}` })),
    );
    f.emulator.setBehaviour('fcm', 'again-', { kind: 'slow', delayMs: 20 });
    const id = await insertCampaign(f.t.dataSource, app, MESSAGE, users);
    await sendLive(id).expect(200);

    const error = (message: string) => ({
      status: 'ERROR',
      responseObject: { code: 'ERROR_GENERIC', message },
    });
    expect((await sendLive(id).expect(400)).body).toEqual(error('Campaign is already being sent'));
    expect((await progress(id)).body.responseObject.state).toMatch(/^(QUEUED|SENDING)$/);
    await completed(id);
    expect((await sendLive(id).expect(400)).body).toEqual(error('Campaign was already sent'));
    expect(deliveredTokens(f.emulator).size).toBe(40);

    expect((await sendLive(999999).expect(400)).body).toEqual(
      error('Campaign with entered ID does not exist'),
    );
    expect((await progress(999999).expect(400)).body).toEqual(
      error('Campaign with entered ID does not exist'),
    );
    const bad = await sendLive('abc').expect(400);
    expect(bad.body.responseObject.code).toBe('ERROR_REQUEST');
  });

  it('sends a campaign created and filled through the API, and forgets its run when it is deleted', async () => {
    const users = usersNamed('api-', 5);
    await insertDevices(f.t.dataSource, devicesOf(app, users, 'p'));
    const created = await http()
      .post('/push/campaign/create')
      .send({ requestObject: { appId: 'mobile-app', message: { title: 'Via API', body: 'Hello' } } })
      .expect(200);
    const id = created.body.responseObject.id as number;
    await http().put(`/push/campaign/${id}/user/add`).send({ requestObject: users }).expect(200);

    await sendLive(id).expect(200);
    expect((await completed(id)).responseObject).toMatchObject({ total: 15, sent: 15 });
    const detail = await http().get(`/push/campaign/${id}/detail`).expect(200);
    expect(detail.body.responseObject).toEqual({
      id,
      appId: 'mobile-app',
      sent: true,
      message: { title: 'Via API', body: 'Hello' },
    });

    expect((await http().delete(`/push/campaign/${id}/delete`).expect(200)).body).toEqual({
      status: 'OK',
      responseObject: { deleted: true },
    });
    expect(await f.t.sql('SELECT campaign_id FROM push_campaign_run WHERE campaign_id = ?', [id])).toEqual(
      [],
    );
    expect((await progress(id).expect(400)).body.responseObject.message).toBe(
      'Campaign with entered ID does not exist',
    );
    // The devices' records stay: they are what was sent.
    expect(await f.t.sql('SELECT id FROM push_message WHERE campaign_id = ?', [id])).toHaveLength(15);
  });

  it('answers the progress of a campaign not sent yet, and of one the original server sent', async () => {
    const id = await insertCampaign(f.t.dataSource, app, MESSAGE, ['nobody']);
    expect((await progress(id).expect(200)).body).toEqual({
      status: 'OK',
      responseObject: {
        campaignId: id,
        state: 'CREATED',
        total: 0,
        sent: 0,
        failed: 0,
        pending: 0,
        timestampCreated: expect.stringMatching(ISO),
      },
    });
    await f.t.sql('UPDATE push_campaign SET is_sent = ? WHERE id = ?', [
      f.t.dataSource.options.type === 'postgres' ? true : 1,
      id,
    ]);
    expect((await progress(id)).body.responseObject.state).toBe('COMPLETED');
    expect((await sendLive(id).expect(400)).body.responseObject.message).toBe('Campaign was already sent');
  });
});

describe('live campaign send with CAMPAIGN_RATE_LIMIT', () => {
  let f: DeliveryFixture;

  let otherApp: number;
  const sendLive = (id: number) => f.t.http().post(`/push/campaign/send/live/${id}`).send();
  const progress = (id: number) => f.t.http().get(`/push/campaign/${id}/progress`);
  async function completed(id: number) {
    await eventually(
      async () => expect((await progress(id)).body.responseObject.state).toBe('COMPLETED'),
      20000,
    );
    return (await progress(id).expect(200)).body;
  }

  beforeAll(async () => {
    f = await startDeliveryFixture({ env: { CAMPAIGN_RATE_LIMIT: '100' } });
    await configureApp(f.t, 'other-app', f.credentials);
    otherApp = await appCredentialsId(f.t.dataSource, 'other-app');
  });
  afterAll(() => f.close());

  it('paces the devices it reaches', async () => {
    const app = await appCredentialsId(f.t.dataSource, 'mobile-app');
    const users = usersNamed('paced-', 60);
    await insertDevices(
      f.t.dataSource,
      users.map((userId) => ({ appCredentialsId: app, userId, platform: 'fcm', token: `paced-${userId}` })),
    );
    const id = await insertCampaign(f.t.dataSource, app, MESSAGE, users);
    const started = Date.now();
    await f.t.http().post(`/push/campaign/send/live/${id}`).send().expect(200);
    await eventually(
      async () =>
        expect((await f.t.http().get(`/push/campaign/${id}/progress`)).body.responseObject.state).toBe(
          'COMPLETED',
        ),
      20000,
    );
    const times = [...deliveredTokens(f.emulator).values()].map(([at]) => at);
    expect(times).toHaveLength(60);
    // 60 devices at 100 per second in pages of 10: the last page starts half a second after the first.
    expect(Math.max(...times) - started).toBeGreaterThanOrEqual(490);
  });

  it('fails the run when its app disappears, and a new live send continues where it stopped', async () => {
    const users = usersNamed('gone-', 300);
    await insertDevices(
      f.t.dataSource,
      users.map((userId) => ({
        appCredentialsId: otherApp,
        userId,
        platform: 'fcm',
        token: `gone-${userId}`,
      })),
    );
    const id = await insertCampaign(f.t.dataSource, otherApp, MESSAGE, users);
    await sendLive(id).expect(200);
    await eventually(async () => expect((await progress(id)).body.responseObject.total).toBeGreaterThan(0));
    // The app row goes away under the running send (as if removed in the database).
    const [appRow] = await f.t.sql<Record<string, unknown>>(
      'SELECT * FROM push_app_credentials WHERE id = ?',
      [otherApp],
    );
    await f.t.sql('DELETE FROM push_app_credentials WHERE id = ?', [otherApp]);
    await eventually(
      async () => expect((await progress(id)).body.responseObject.state).toBe('FAILED'),
      20000,
    );
    const failed = (await progress(id)).body.responseObject;
    expect(failed.error).toBe('The app of the campaign was removed');
    expect(failed.timestampCompleted).toBeUndefined();
    expect(failed.total).toBeLessThan(300);
    const [campaign] = await f.t.sql<Record<string, unknown>>(
      'SELECT is_sent FROM push_campaign WHERE id = ?',
      [id],
    );
    expect(Number(campaign.is_sent)).toBe(0);

    // Put back, and sent again: only the users not reached yet are added, nobody twice.
    const columns = Object.keys(appRow);
    await f.t.sql(
      `INSERT INTO push_app_credentials (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      columns.map((column) => appRow[column]),
    );
    await sendLive(id).expect(200);
    const body = await completed(id);
    expect(body.responseObject).toMatchObject({ total: 300, pending: 0 });
    const rows = await f.t.sql<{ device_registration_id: number }>(
      'SELECT device_registration_id FROM push_message WHERE campaign_id = ?',
      [id],
    );
    expect(new Set(rows.map((row) => Number(row.device_registration_id))).size).toBe(300);
  });
});
