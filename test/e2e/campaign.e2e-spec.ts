import {
  configureApp,
  DeliveryFixture,
  hexToken,
  registerDevice,
  startDeliveryFixture,
} from '../support/delivery-fixture';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * `/push/campaign/*` end to end (everything but the live send): the real app on a real database, rows asserted in
 * push_campaign and push_campaign_user, the test send asserted at the provider emulators.
 * Compatibility contract: compat notes §0, §1.4 (the authority), §2, §4.6.
 */

type Body = Record<string, unknown>;

const OK = { status: 'OK' };
const APP_ID = 'mobile-app';
/** Same credentials as mobile-app, so a send to the wrong app's devices would reach the emulator too. */
const OTHER_APP_ID = 'other-app';
/** No provider credentials: nothing limits the payload but the column. */
const BARE_APP_ID = 'bare-app';

const MSG = {
  appId: 'App ID must not be null.',
  message: 'You must specify a push campaign message payload.',
  appNotFound: (appId: string) => `Application with a provided PowerAuth app ID does not exist: ${appId}`,
  notFound: 'Campaign with entered ID does not exist',
  emptyUsers: 'Empty requestObject data',
  userId: 'Request must contain a user ID.',
} as const;

const generic = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_GENERIC', message },
});
const invalid = (...violations: Body[]) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_REQUEST', message: 'Invalid method parameter value', violations },
});
const badId = (value: string) =>
  invalid({ fieldName: 'id', invalidValue: value, hint: 'must be a whole number' });

/** The documentation's example message, keys deliberately not in PushMessageBody order. */
const FULL_MESSAGE = {
  extras: { _comment: 'Any custom data.' },
  validUntil: '2016-10-12T13:20:04+02:00',
  title: 'Balance update',
  titleLocKey: 'balance.update.title',
  titleLocArgs: [],
  body: 'Your balance is now $745.00',
  bodyLocKey: 'balance.update.body',
  bodyLocArgs: ['745.00'],
  badge: 3,
  sound: 'default',
  icon: 'custom-icon',
  category: 'balance-update',
  collapseKey: 'balance-update',
};
/** FULL_MESSAGE as stored: PushMessageBody order, validUntil as Java's Instant.toString(). */
const FULL_MESSAGE_JSON =
  '{"title":"Balance update","titleLocKey":"balance.update.title","titleLocArgs":[],' +
  '"body":"Your balance is now $745.00","bodyLocKey":"balance.update.body","bodyLocArgs":["745.00"],"badge":3,' +
  '"sound":"default","icon":"custom-icon","category":"balance-update","collapseKey":"balance-update",' +
  '"validUntil":"2016-10-12T11:20:04Z","extras":{"_comment":"Any custom data."}}';
/** Characters of {"extras":{"d":""}} around the value of d. */
const EXTRAS_OVERHEAD = JSON.stringify({ extras: { d: '' } }).length;
const FULL_MESSAGE_OUT = { ...FULL_MESSAGE, validUntil: '2016-10-12T11:20:04Z' };

interface CampaignRow {
  id: number;
  app_id: number;
  message: string;
  is_sent: boolean;
  timestamp_created: unknown;
  timestamp_sent: unknown;
  timestamp_completed: unknown;
}

const bool = (value: unknown) => value === true || Number(value) === 1;

async function campaignRows(t: TestApp): Promise<CampaignRow[]> {
  const rows = await t.sql<Record<string, unknown>>(
    'SELECT id, app_id, message, is_sent, timestamp_created, timestamp_sent, timestamp_completed ' +
      'FROM push_campaign ORDER BY id',
  );
  return rows.map((row) => ({
    ...(row as unknown as CampaignRow),
    id: Number(row.id),
    app_id: Number(row.app_id),
    is_sent: bool(row.is_sent),
  }));
}

/** push_campaign_user as [campaign_id, user_id] pairs, in byte order of the user id. */
async function userRows(t: TestApp, campaignId?: number): Promise<Array<[number, string]>> {
  const rows = await t.sql<{ campaign_id: unknown; user_id: string }>(
    'SELECT campaign_id, user_id FROM push_campaign_user' +
      (campaignId === undefined ? '' : ' WHERE campaign_id = ?'),
    campaignId === undefined ? [] : [campaignId],
  );
  return rows
    .map((row): [number, string] => [Number(row.campaign_id), row.user_id])
    .sort((a, b) => a[0] - b[0] || compareBytes(a[1], b[1]));
}

async function userCount(t: TestApp, campaignId: number): Promise<number> {
  const [row] = await t.sql<{ n: unknown }>(
    'SELECT COUNT(*) AS n FROM push_campaign_user WHERE campaign_id = ?',
    [campaignId],
  );
  return Number(row.n);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function appPk(t: TestApp, appId: string): Promise<number> {
  const [row] = await t.sql<{ id: unknown }>('SELECT id FROM push_app_credentials WHERE app_id = ?', [appId]);
  return Number(row.id);
}

async function create(t: TestApp, message: Body = { title: 'Hi' }, appId = APP_ID): Promise<number> {
  const response = await t
    .http()
    .post('/push/campaign/create')
    .send({ requestObject: { appId, message } })
    .expect(200);
  expect(response.body).toEqual({ status: 'OK', responseObject: { id: expect.any(Number) } });
  return response.body.responseObject.id as number;
}

async function addUsers(t: TestApp, id: number, users: unknown[]): Promise<void> {
  const response = await t
    .http()
    .post(`/push/campaign/${id}/user/add`)
    .send({ requestObject: users })
    .expect(200);
  expect(response.body).toEqual(OK);
}

/** Rows written straight to the tables, as a PowerAuth node (or a race in it) would leave them. */
async function insertUserRows(t: TestApp, campaignId: number, userIds: string[]): Promise<void> {
  for (const userId of userIds) {
    await t.sql('INSERT INTO push_campaign_user (campaign_id, user_id, timestamp_created) VALUES (?, ?, ?)', [
      campaignId,
      userId,
      '2024-01-02 03:04:05',
    ]);
  }
}

const range = <T = string>(n: number, item: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => item(i));

describe('/push/campaign', () => {
  let f: DeliveryFixture;
  let t: TestApp;

  beforeAll(async () => {
    f = await startDeliveryFixture();
    t = f.t;
    await configureApp(t, OTHER_APP_ID, f.credentials);
    await t
      .http()
      .post('/admin/app/create')
      .send({ requestObject: { appId: BARE_APP_ID } })
      .expect(200);
  });
  afterAll(() => f.close());
  beforeEach(async () => {
    f.emulator.reset();
    await t.sql('DELETE FROM push_campaign');
    await t.sql('DELETE FROM push_campaign_user');
    await t.sql('DELETE FROM push_message');
  });

  describe('POST /create', () => {
    it('stores the message as compact JSON in PushMessageBody order and answers the numeric id', async () => {
      const response = await t
        .http()
        .post('/push/campaign/create')
        .send({ requestObject: { appId: APP_ID, message: { ...FULL_MESSAGE, unknown: 'dropped' } } })
        .expect(200);
      const [row] = await campaignRows(t);
      expect(response.body).toEqual({ status: 'OK', responseObject: { id: row.id } });
      expect(row).toEqual({
        id: expect.any(Number),
        app_id: await appPk(t, APP_ID),
        message: FULL_MESSAGE_JSON,
        is_sent: false,
        timestamp_created: expect.anything(),
        timestamp_sent: null,
        timestamp_completed: null,
      });
    });

    it('leaves null and absent fields out of the stored JSON', async () => {
      const id = await create(t, { title: 'Hi', body: null, icon: null, badge: 0, extras: {} });
      const [row] = await campaignRows(t);
      expect(row.id).toBe(id);
      expect(row.message).toBe('{"title":"Hi","badge":0,"extras":{}}');
    });

    it('answers a new id for each campaign', async () => {
      const ids = [await create(t), await create(t), await create(t, { title: 'x' }, OTHER_APP_ID)];
      expect(new Set(ids).size).toBe(3);
      const rows = await campaignRows(t);
      expect(rows.map((row) => row.id)).toEqual([...ids].sort((a, b) => a - b));
      expect(rows.find((row) => row.id === ids[2])!.app_id).toBe(await appPk(t, OTHER_APP_ID));
    });

    it('accepts a message whose JSON is exactly 4000 characters, counting a surrogate pair as one', async () => {
      const emoji = '\u{1F600}';
      const value = emoji.repeat(1000) + 'x'.repeat(4000 - EXTRAS_OVERHEAD - 1000);
      const id = await create(t, { extras: { d: value } }, BARE_APP_ID);
      const [row] = await campaignRows(t);
      expect([...row.message]).toHaveLength(4000);
      expect(row.message).toBe(`{"extras":{"d":"${value}"}}`);
      const detail = await t.http().get(`/push/campaign/${id}/detail`).expect(200);
      expect(detail.body.responseObject.message).toEqual({ extras: { d: value } });
    });

    const tooLong = { extras: { d: 'x'.repeat(4001 - EXTRAS_OVERHEAD) } };

    it.each<[string, Body, unknown]>([
      ['no requestObject', {}, invalid({ fieldName: 'requestObject', hint: 'must not be null' })],
      [
        'a requestObject that is not an object',
        { requestObject: ['mobile-app'] },
        invalid({ fieldName: 'requestObject', hint: 'must be a JSON object' }),
      ],
      ['no appId', { requestObject: { message: { title: 'Hi' } } }, generic(MSG.appId)],
      ['a blank appId', { requestObject: { appId: ' ', message: { title: 'Hi' } } }, generic(MSG.appId)],
      ['no message', { requestObject: { appId: APP_ID } }, generic(MSG.message)],
      ['a null message', { requestObject: { appId: APP_ID, message: null } }, generic(MSG.message)],
      [
        'an unknown app',
        { requestObject: { appId: 'nope', message: { title: 'Hi' } } },
        generic(MSG.appNotFound('nope')),
      ],
      [
        'an appId that is not a string',
        { requestObject: { appId: 42, message: { title: 'Hi' } } },
        invalid({ fieldName: 'requestObject.appId', invalidValue: 42, hint: 'must be a string' }),
      ],
      [
        'an appId over 255 characters',
        { requestObject: { appId: 'a'.repeat(256), message: { title: 'Hi' } } },
        invalid({
          fieldName: 'requestObject.appId',
          invalidValue: `${'a'.repeat(200)}…`,
          hint: 'size must be between 0 and 255',
        }),
      ],
      [
        'a message that is not an object',
        { requestObject: { appId: APP_ID, message: 'Hi' } },
        invalid({ fieldName: 'requestObject.message', invalidValue: 'Hi', hint: 'must be a JSON object' }),
      ],
      [
        'a badge that is not a number',
        { requestObject: { appId: APP_ID, message: { badge: 'three' } } },
        invalid({
          fieldName: 'requestObject.message.badge',
          invalidValue: 'three',
          hint: 'must be a whole number',
        }),
      ],
      [
        'loc args that are not strings',
        { requestObject: { appId: APP_ID, message: { titleLocArgs: [1] } } },
        invalid({ fieldName: 'requestObject.message.titleLocArgs', hint: 'must be an array of strings' }),
      ],
      [
        'extras that are not an object',
        { requestObject: { appId: APP_ID, message: { extras: [1] } } },
        invalid({ fieldName: 'requestObject.message.extras', hint: 'must be a JSON object' }),
      ],
      [
        'a validUntil that is not an instant',
        { requestObject: { appId: APP_ID, message: { validUntil: 'tomorrow' } } },
        invalid({
          fieldName: 'requestObject.message.validUntil',
          invalidValue: 'tomorrow',
          hint: expect.stringMatching(/^must match/),
        }),
      ],
      [
        'a validUntil on a day that does not exist',
        { requestObject: { appId: APP_ID, message: { validUntil: '2016-13-45T11:20:04Z' } } },
        invalid({
          fieldName: 'requestObject.message.validUntil',
          invalidValue: '2016-13-45T11:20:04Z',
          hint: 'must be a valid ISO-8601 instant',
        }),
      ],
      [
        'a message whose JSON is over 4000 characters',
        { requestObject: { appId: BARE_APP_ID, message: tooLong } },
        invalid({
          fieldName: 'requestObject.message',
          hint: `JSON must be at most 4000 characters (got ${JSON.stringify(tooLong).length})`,
        }),
      ],
      [
        'a message too large for APNs (under 4000 characters, over 4096 bytes)',
        { requestObject: { appId: APP_ID, message: { title: 'Hi', body: '\u00e9'.repeat(2500) } } },
        {
          status: 'ERROR',
          responseObject: {
            code: 'ERROR_GENERIC',
            message: expect.stringMatching(/^Push message is too large for APNs/),
          },
        },
      ],
    ])('answers %s with 400 and writes nothing', async (_case, body, expected) => {
      const response = await t.http().post('/push/campaign/create').send(body).expect(400);
      expect(response.body).toEqual(expected);
      expect(await campaignRows(t)).toEqual([]);
    });

    it('answers malformed JSON with 400', async () => {
      const response = await t
        .http()
        .post('/push/campaign/create')
        .set('Content-Type', 'application/json')
        .send('{"requestObject": {')
        .expect(400);
      expect(response.body.responseObject.code).toBe('ERROR_REQUEST');
      expect(await campaignRows(t)).toEqual([]);
    });
  });

  describe('POST|DELETE /{id}/delete', () => {
    it.each(['post', 'delete'] as const)(
      '%s: deletes the campaign and its users, answers deleted:true',
      async (method) => {
        const id = await create(t);
        const other = await create(t);
        await addUsers(t, id, ['u1', 'u2']);
        await addUsers(t, other, ['u1']);
        const response = await t.http()[method](`/push/campaign/${id}/delete`).expect(200);
        expect(response.body).toEqual({ status: 'OK', responseObject: { deleted: true } });
        expect((await campaignRows(t)).map((row) => row.id)).toEqual([other]);
        expect(await userRows(t)).toEqual([[other, 'u1']]);
      },
    );

    it.each(['post', 'delete'] as const)(
      '%s: answers deleted:false for a missing campaign and still deletes its user rows',
      async (method) => {
        const kept = await create(t);
        await insertUserRows(t, 987654, ['orphan-1', 'orphan-2']);
        await addUsers(t, kept, ['u1']);
        const response = await t.http()[method]('/push/campaign/987654/delete').expect(200);
        expect(response.body).toEqual({ status: 'OK', responseObject: { deleted: false } });
        expect(await userRows(t)).toEqual([[kept, 'u1']]);
        expect(await campaignRows(t)).toHaveLength(1);
      },
    );

    it('answers a second delete with deleted:false', async () => {
      const id = await create(t);
      await t.http().post(`/push/campaign/${id}/delete`).expect(200);
      const again = await t.http().delete(`/push/campaign/${id}/delete`).expect(200);
      expect(again.body).toEqual({ status: 'OK', responseObject: { deleted: false } });
    });

    it.each(['post', 'delete'] as const)('%s: answers a non-numeric id with 400', async (method) => {
      await create(t);
      const response = await t.http()[method]('/push/campaign/abc/delete').expect(400);
      expect(response.body).toEqual(badId('abc'));
      expect(await campaignRows(t)).toHaveLength(1);
    });

    it('answers other methods with 405', async () => {
      const response = await t.http().get('/push/campaign/1/delete').expect(405);
      expect(response.headers.allow).toBe('DELETE, POST');
      expect(response.body.responseObject.code).toBe('ERROR_METHOD_NOT_ALLOWED');
    });
  });

  describe('GET /{id}/detail', () => {
    it('answers id (number), the app id, sent (boolean) and the message, nothing else', async () => {
      const id = await create(t, FULL_MESSAGE);
      const response = await t.http().get(`/push/campaign/${id}/detail`).expect(200);
      expect(response.body).toEqual({
        status: 'OK',
        responseObject: { id, appId: APP_ID, sent: false, message: FULL_MESSAGE_OUT },
      });
    });

    it('answers sent:true once the campaign is sent', async () => {
      const id = await create(t, { title: 'Hi' }, OTHER_APP_ID);
      await t.sql(
        'UPDATE push_campaign SET is_sent = TRUE, timestamp_sent = ?, timestamp_completed = ? WHERE id = ?',
        ['2024-01-02 03:04:05', '2024-01-02 03:04:06', id],
      );
      const response = await t.http().get(`/push/campaign/${id}/detail`).expect(200);
      expect(response.body).toEqual({
        status: 'OK',
        responseObject: { id, appId: OTHER_APP_ID, sent: true, message: { title: 'Hi' } },
      });
    });

    it('reads a campaign a PowerAuth node stored: pretty JSON, unknown fields and nulls left out', async () => {
      const stored = JSON.stringify(
        { title: 'Hi', body: null, badge: 2, validUntil: '2030-01-01T00:00:00.5Z', futureField: true },
        null,
        2,
      );
      await t.sql(
        'INSERT INTO push_campaign (app_id, message, is_sent, timestamp_created) VALUES (?, ?, FALSE, ?)',
        [await appPk(t, APP_ID), stored, '2024-01-02 03:04:05'],
      );
      const [row] = await campaignRows(t);
      const response = await t.http().get(`/push/campaign/${row.id}/detail`).expect(200);
      expect(response.body).toEqual({
        status: 'OK',
        responseObject: {
          id: row.id,
          appId: APP_ID,
          sent: false,
          message: { title: 'Hi', badge: 2, validUntil: '2030-01-01T00:00:00.5Z' },
        },
      });
    });

    it('answers a stored message that is not JSON with the original error', async () => {
      await t.sql(
        'INSERT INTO push_campaign (app_id, message, is_sent, timestamp_created) VALUES (?, ?, FALSE, ?)',
        [await appPk(t, APP_ID), 'not json', '2024-01-02 03:04:05'],
      );
      const [row] = await campaignRows(t);
      const response = await t.http().get(`/push/campaign/${row.id}/detail`).expect(400);
      expect(response.body).toEqual(generic('Failed parsing from JSON'));
    });

    it("leaves appId out when the campaign's app row is gone (the original failed with a 500)", async () => {
      await t.sql(
        'INSERT INTO push_campaign (app_id, message, is_sent, timestamp_created) VALUES (?, ?, FALSE, ?)',
        [999999, '{"title":"Orphan"}', '2024-01-02 03:04:05'],
      );
      const [row] = await campaignRows(t);
      const detail = await t.http().get(`/push/campaign/${row.id}/detail`).expect(200);
      expect(detail.body).toEqual({
        status: 'OK',
        responseObject: { id: row.id, sent: false, message: { title: 'Orphan' } },
      });
      const list = await t.http().get('/push/campaign/list').expect(200);
      expect(list.body).toEqual({ status: 'OK', responseObject: [detail.body.responseObject] });
      const send = await t
        .http()
        .post(`/push/campaign/send/test/${row.id}`)
        .send({ requestObject: { userId: 'tester' } })
        .expect(400);
      expect(send.body).toEqual(generic(`Application of campaign ${row.id} does not exist`));
    });

    it('answers an unknown campaign with the original message', async () => {
      const response = await t.http().get('/push/campaign/424242/detail').expect(400);
      expect(response.body).toEqual(generic(MSG.notFound));
    });

    it.each(['abc', '1.5', '-1', '99999999999999999999'])('answers the id %s with 400', async (value) => {
      const response = await t.http().get(`/push/campaign/${value}/detail`).expect(400);
      expect(response.body).toEqual(badId(value));
    });
  });

  describe('GET /list', () => {
    let ids: number[];
    let sentId: number;

    beforeEach(async () => {
      ids = [
        await create(t, { title: 'one' }),
        await create(t, { title: 'two' }, OTHER_APP_ID),
        await create(t, FULL_MESSAGE),
      ];
      sentId = ids[1];
      await t.sql('UPDATE push_campaign SET is_sent = TRUE WHERE id = ?', [sentId]);
    });

    const item = (id: number) => {
      const index = ids.indexOf(id);
      return {
        id,
        appId: index === 1 ? OTHER_APP_ID : APP_ID,
        sent: index === 1,
        message: [{ title: 'one' }, { title: 'two' }, FULL_MESSAGE_OUT][index],
      };
    };
    const byId = (list: number[]) => [...list].sort((a, b) => a - b).map(item);

    it.each(['', '?all=false', '?all=FALSE', '?all='])(
      '%s: answers the campaigns not sent yet, by id',
      async (query) => {
        const response = await t.http().get(`/push/campaign/list${query}`).expect(200);
        expect(response.body).toEqual({
          status: 'OK',
          responseObject: byId(ids.filter((id) => id !== sentId)),
        });
      },
    );

    it.each(['?all=true', '?all=True'])('%s: answers every campaign, by id', async (query) => {
      const response = await t.http().get(`/push/campaign/list${query}`).expect(200);
      expect(response.body).toEqual({ status: 'OK', responseObject: byId(ids) });
    });

    it('answers an empty array when nothing matches', async () => {
      await t.sql('DELETE FROM push_campaign');
      expect((await t.http().get('/push/campaign/list').expect(200)).body).toEqual({
        status: 'OK',
        responseObject: [],
      });
      expect((await t.http().get('/push/campaign/list?all=true').expect(200)).body).toEqual({
        status: 'OK',
        responseObject: [],
      });
    });

    it.each([
      ['?all=yes', { fieldName: 'all', invalidValue: 'yes', hint: 'must be true or false' }],
      ['?all=1', { fieldName: 'all', invalidValue: '1', hint: 'must be true or false' }],
      ['?all=true&all=false', { fieldName: 'all', hint: 'must be true or false' }],
    ])('answers %s with 400', async (query, violation) => {
      const response = await t.http().get(`/push/campaign/list${query}`).expect(400);
      expect(response.body).toEqual(invalid(violation));
    });
  });

  describe('POST|PUT /{id}/user/add', () => {
    it('adds the users; a user repeated in the request is added once', async () => {
      const id = await create(t);
      await addUsers(t, id, ['u1', 'u2', 'u1', 'u2', 'U1']);
      expect(await userRows(t)).toEqual([
        [id, 'U1'],
        [id, 'u1'],
        [id, 'u2'],
      ]);
      const [row] = await t.sql<{ timestamp_created: unknown }>(
        'SELECT timestamp_created FROM push_campaign_user WHERE user_id = ?',
        ['u1'],
      );
      expect(row.timestamp_created).not.toBeNull();
    });

    it('PUT: skips the users the campaign already has, including rows a PowerAuth node wrote', async () => {
      const id = await create(t);
      const other = await create(t);
      await insertUserRows(t, id, ['legacy']);
      await addUsers(t, id, ['u1']);
      await addUsers(t, other, ['u3']);
      const response = await t
        .http()
        .put(`/push/campaign/${id}/user/add`)
        .send({ requestObject: ['u1', 'legacy', 'u3', 'u3'] })
        .expect(200);
      expect(response.body).toEqual(OK);
      expect(await userRows(t)).toEqual([
        [id, 'legacy'],
        [id, 'u1'],
        [id, 'u3'],
        [other, 'u3'],
      ]);
    });

    it('answers an empty list with OK and adds nothing', async () => {
      const id = await create(t);
      await addUsers(t, id, []);
      expect(await userRows(t)).toEqual([]);
    });

    it.each(['post', 'put'] as const)(
      '%s: answers an unknown campaign with the original message',
      async (method) => {
        const response = await t
          .http()
          [method]('/push/campaign/515151/user/add')
          .send({ requestObject: ['u1'] })
          .expect(400);
        expect(response.body).toEqual(generic(MSG.notFound));
        expect(await userRows(t)).toEqual([]);
      },
    );

    it('checks the campaign even for an empty list', async () => {
      const response = await t
        .http()
        .post('/push/campaign/515151/user/add')
        .send({ requestObject: [] })
        .expect(400);
      expect(response.body).toEqual(generic(MSG.notFound));
    });

    const longId = 'x'.repeat(256);

    it.each<[string, Body, unknown]>([
      ['no requestObject', {}, generic(MSG.emptyUsers)],
      ['a null requestObject', { requestObject: null }, generic(MSG.emptyUsers)],
      [
        'a requestObject that is not an array',
        { requestObject: { users: ['u1'] } },
        invalid({ fieldName: 'requestObject', hint: 'must be an array of strings' }),
      ],
      [
        'a string requestObject',
        { requestObject: 'u1' },
        invalid({ fieldName: 'requestObject', invalidValue: 'u1', hint: 'must be an array of strings' }),
      ],
      [
        'an empty user id',
        { requestObject: ['u1', ''] },
        invalid({ fieldName: 'requestObject[1]', invalidValue: '', hint: 'must not be blank' }),
      ],
      [
        'blank, long and non-string user ids',
        { requestObject: ['  ', 'u1', longId, 7, null] },
        invalid(
          { fieldName: 'requestObject[0]', invalidValue: '  ', hint: 'must not be blank' },
          {
            fieldName: 'requestObject[2]',
            invalidValue: `${'x'.repeat(200)}…`,
            hint: 'size must be between 1 and 255',
          },
          { fieldName: 'requestObject[3]', invalidValue: 7, hint: 'must be a string' },
          { fieldName: 'requestObject[4]', hint: 'must be a string' },
        ),
      ],
      [
        'more than 100,000 user ids',
        { requestObject: range(100_001, (i) => `${i}`) },
        invalid({ fieldName: 'requestObject', hint: 'size must be between 0 and 100000' }),
      ],
    ])('answers %s with 400 and adds nothing', async (_case, body, expected) => {
      const id = await create(t);
      const response = await t.http().post(`/push/campaign/${id}/user/add`).send(body).expect(400);
      expect(response.body).toEqual(expected);
      expect(await userRows(t)).toEqual([]);
    });

    it('lists at most 20 bad user ids', async () => {
      const id = await create(t);
      const response = await t
        .http()
        .post(`/push/campaign/${id}/user/add`)
        .send({ requestObject: range(50, () => '') })
        .expect(400);
      expect(response.body.responseObject.violations).toHaveLength(20);
    });

    it('accepts a user id of exactly 255 characters', async () => {
      const id = await create(t);
      await addUsers(t, id, ['y'.repeat(255)]);
      expect(await userRows(t)).toEqual([[id, 'y'.repeat(255)]]);
    });

    it.each(['post', 'put'] as const)('%s: answers a non-numeric id with 400', async (method) => {
      const response = await t
        .http()
        [method]('/push/campaign/x1/user/add')
        .send({ requestObject: ['u1'] })
        .expect(400);
      expect(response.body).toEqual(badId('x1'));
      expect(await userRows(t)).toEqual([]);
    });

    it('adds 20,000 users in one request (over the general 1 MB body limit), skipping existing and repeated ones', async () => {
      const id = await create(t);
      const name = (i: number) => `user-${String(i).padStart(6, '0')}-${'p'.repeat(50)}`;
      await insertUserRows(t, id, range(3, name));
      await addUsers(
        t,
        id,
        range(500, (i) => name(i * 2)),
      );
      const users = range(20_000, name);
      const request = [...users, ...range(100, (i) => name(i * 7))];
      expect(JSON.stringify({ requestObject: request }).length).toBeGreaterThan(1024 * 1024);

      const started = Date.now();
      await addUsers(t, id, request);
      const elapsed = Date.now() - started;

      expect(await userCount(t, id)).toBe(20_000);
      const rows = await userRows(t, id);
      expect(rows.map(([, userId]) => userId)).toEqual([...users].sort(compareBytes));
      // Bulk statements, not a query per user: generous for a shared 2-core machine.
      expect(elapsed).toBeLessThan(20_000);
    });

    it('concurrent adds of overlapping lists leave each user once', async () => {
      const id = await create(t);
      const lists = range(4, (n) => range(3000, (i) => `c-${String(i + n * 1000).padStart(5, '0')}`));
      await Promise.all(lists.map((list) => addUsers(t, id, list)));
      const expected = [...new Set(lists.flat())].sort(compareBytes);
      expect((await userRows(t, id)).map(([, userId]) => userId)).toEqual(expected);
    });
  });

  describe('GET /{id}/user/list', () => {
    let id: number;
    const users = [...range(43, (i) => `u${String(i).padStart(2, '0')}`), 'B', 'a'];
    // Byte order: upper case before lower case.
    const ordered = [...users].sort(compareBytes);

    beforeEach(async () => {
      id = await create(t);
      // Stored out of order, so the answer's order comes from the query.
      await addUsers(t, id, [...users].reverse());
      const other = await create(t);
      await addUsers(t, other, ['u00', 'zz']);
    });

    const page = (campaignId: number, list: string[], pageNumber: number, size: number) => ({
      status: 'OK',
      responseObject: { campaignId, users: list },
      page: pageNumber,
      size,
    });

    it('answers the first 20 users by user id without page and size', async () => {
      const response = await t.http().get(`/push/campaign/${id}/user/list`).expect(200);
      expect(response.body).toEqual(page(id, ordered.slice(0, 20), 0, 20));
      expect(ordered.slice(0, 3)).toEqual(['B', 'a', 'u00']);
    });

    it('pages through every user exactly once; the last page is short, a page past the end empty', async () => {
      const seen: string[] = [];
      for (let n = 0; n < 3; n++) {
        const response = await t.http().get(`/push/campaign/${id}/user/list?page=${n}&size=20`).expect(200);
        expect(response.body).toEqual(page(id, ordered.slice(n * 20, n * 20 + 20), n, 20));
        seen.push(...(response.body.responseObject.users as string[]));
      }
      expect(seen).toEqual(ordered);
      const last = await t.http().get(`/push/campaign/${id}/user/list?page=2&size=20`).expect(200);
      expect(last.body.responseObject.users).toHaveLength(5);
      const past = await t.http().get(`/push/campaign/${id}/user/list?page=3&size=20`).expect(200);
      expect(past.body).toEqual(page(id, [], 3, 20));
      const far = await t.http().get(`/push/campaign/${id}/user/list?page=2147483647&size=1000`).expect(200);
      expect(far.body).toEqual(page(id, [], 2147483647, 1000));
    });

    it('answers size 1 and size 1000', async () => {
      const one = await t.http().get(`/push/campaign/${id}/user/list?page=44&size=1`).expect(200);
      expect(one.body).toEqual(page(id, [ordered[44]], 44, 1));
      const all = await t.http().get(`/push/campaign/${id}/user/list?size=1000`).expect(200);
      expect(all.body).toEqual(page(id, ordered, 0, 1000));
    });

    it('answers an unknown campaign with an empty list, not an error', async () => {
      const response = await t.http().get('/push/campaign/777777/user/list?page=0&size=5').expect(200);
      expect(response.body).toEqual(page(777777, [], 0, 5));
    });

    it.each([
      ['size=0', { fieldName: 'size', invalidValue: '0', hint: 'must be greater than or equal to 1' }],
      ['size=-1', { fieldName: 'size', invalidValue: '-1', hint: 'must be greater than or equal to 1' }],
      ['size=1001', { fieldName: 'size', invalidValue: '1001', hint: 'must be less than or equal to 1000' }],
      ['size=ten', { fieldName: 'size', invalidValue: 'ten', hint: 'must be a whole number' }],
      ['size=2.5', { fieldName: 'size', invalidValue: '2.5', hint: 'must be a whole number' }],
      ['page=-1', { fieldName: 'page', invalidValue: '-1', hint: 'must be greater than or equal to 0' }],
      ['page=x', { fieldName: 'page', invalidValue: 'x', hint: 'must be a whole number' }],
    ])('answers %s with 400', async (query, violation) => {
      const response = await t.http().get(`/push/campaign/${id}/user/list?${query}`).expect(400);
      expect(response.body).toEqual(invalid(violation));
    });

    it('answers a non-numeric id with 400', async () => {
      const response = await t.http().get('/push/campaign/abc/user/list').expect(400);
      expect(response.body).toEqual(badId('abc'));
    });
  });

  describe('POST|DELETE /{id}/user/delete', () => {
    it.each(['post', 'delete'] as const)(
      '%s: removes the listed users of that campaign only; unknown users are ignored',
      async (method) => {
        const id = await create(t);
        const other = await create(t);
        await addUsers(t, id, ['u1', 'u2', 'u3']);
        await addUsers(t, other, ['u1']);
        const response = await t
          .http()
          [method](`/push/campaign/${id}/user/delete`)
          .send({ requestObject: ['u1', 'u3', 'u3', 'nobody'] })
          .expect(200);
        expect(response.body).toEqual(OK);
        expect(await userRows(t)).toEqual([
          [id, 'u2'],
          [other, 'u1'],
        ]);
      },
    );

    it('removes every row of a user, including duplicates a PowerAuth node left', async () => {
      const id = await create(t);
      await insertUserRows(t, id, ['dup', 'dup', 'kept']);
      await t
        .http()
        .post(`/push/campaign/${id}/user/delete`)
        .send({ requestObject: ['dup'] })
        .expect(200);
      expect(await userRows(t)).toEqual([[id, 'kept']]);
    });

    it('does not check that the campaign exists', async () => {
      await insertUserRows(t, 616161, ['orphan', 'kept']);
      const response = await t
        .http()
        .delete('/push/campaign/616161/user/delete')
        .send({ requestObject: ['orphan'] })
        .expect(200);
      expect(response.body).toEqual(OK);
      expect(await userRows(t)).toEqual([[616161, 'kept']]);
    });

    it('removes 15,000 of 20,000 users in one request', async () => {
      const id = await create(t);
      const users = range(20_000, (i) => `d-${String(i).padStart(5, '0')}`);
      await addUsers(t, id, users);
      await t
        .http()
        .delete(`/push/campaign/${id}/user/delete`)
        .send({ requestObject: users.slice(0, 15_000) })
        .expect(200);
      expect((await userRows(t, id)).map(([, userId]) => userId)).toEqual(users.slice(15_000));
    });

    it.each<[string, Body, unknown]>([
      ['no requestObject', {}, invalid({ fieldName: 'requestObject', hint: 'must not be null' })],
      [
        'a null requestObject',
        { requestObject: null },
        invalid({ fieldName: 'requestObject', hint: 'must not be null' }),
      ],
      [
        'a requestObject that is not an array',
        { requestObject: { userId: 'u1' } },
        invalid({ fieldName: 'requestObject', hint: 'must be an array of strings' }),
      ],
      [
        'a blank user id',
        { requestObject: ['u1', ' '] },
        invalid({ fieldName: 'requestObject[1]', invalidValue: ' ', hint: 'must not be blank' }),
      ],
    ])('answers %s with 400 and removes nothing', async (_case, body, expected) => {
      const id = await create(t);
      await addUsers(t, id, ['u1']);
      const response = await t.http().post(`/push/campaign/${id}/user/delete`).send(body).expect(400);
      expect(response.body).toEqual(expected);
      expect(await userRows(t)).toEqual([[id, 'u1']]);
    });

    it('answers a non-numeric id with 400', async () => {
      const response = await t
        .http()
        .delete('/push/campaign/1e3/user/delete')
        .send({ requestObject: ['u1'] })
        .expect(400);
      expect(response.body).toEqual(badId('1e3'));
    });

    it('answers PUT with 405', async () => {
      const response = await t
        .http()
        .put('/push/campaign/1/user/delete')
        .send({ requestObject: ['u1'] })
        .expect(405);
      expect(response.headers.allow).toBe('DELETE, POST');
    });
  });

  describe('POST /send/test/{id}', () => {
    const TOKENS = {
      apns: hexToken('ca01', 1),
      fcm: 'campaign-fcm-1',
      hms: 'campaign-hms-1',
      otherAppApns: hexToken('ca02', 1),
      otherAppFcm: 'campaign-fcm-other-app',
      otherUser: 'campaign-fcm-other-user',
    };
    const MESSAGE = {
      title: 'Spring offer',
      body: 'Save 10 %',
      badge: 1,
      sound: 'default',
      extras: { campaign: 'spring' },
    };

    beforeAll(async () => {
      await registerDevice(t, {
        platform: 'apns',
        token: TOKENS.apns,
        activationId: 'ct-apns',
        userId: 'tester',
      });
      // A blocked activation still gets a test send: it is not a personal message.
      await registerDevice(t, {
        platform: 'fcm',
        token: TOKENS.fcm,
        activationId: 'ct-fcm',
        userId: 'tester',
        activationStatus: 'BLOCKED',
      });
      await registerDevice(t, {
        platform: 'hms',
        token: TOKENS.hms,
        activationId: 'ct-hms',
        userId: 'tester',
      });
      await registerDevice(t, {
        platform: 'apns',
        token: TOKENS.otherAppApns,
        activationId: 'ct-other-apns',
        userId: 'tester',
        appId: OTHER_APP_ID,
      });
      await registerDevice(t, {
        platform: 'fcm',
        token: TOKENS.otherAppFcm,
        activationId: 'ct-other-fcm',
        userId: 'tester',
        appId: OTHER_APP_ID,
      });
      await registerDevice(t, {
        platform: 'fcm',
        token: TOKENS.otherUser,
        activationId: 'ct-x',
        userId: 'someone',
      });
    });

    const tokensReceived = () => [
      ...f.emulator.requests('apns').map((r) => r.path.replace('/3/device/', '')),
      ...f.emulator.requests('fcm').map((r) => (r.body as { message: { token: string } }).message.token),
      ...f.emulator
        .requests('hms')
        .flatMap((r) => (r.body as { message: { token: string[] } }).message.token),
    ];

    it("sends the campaign message at HIGH priority to the user's devices in the campaign's app only", async () => {
      const id = await create(t, MESSAGE);
      await addUsers(t, id, ['someone']);
      const response = await t
        .http()
        .post(`/push/campaign/send/test/${id}`)
        .send({ requestObject: { userId: 'tester' } })
        .expect(200);
      expect(response.body).toEqual(OK);

      expect(tokensReceived().sort()).toEqual([TOKENS.apns, TOKENS.fcm, TOKENS.hms].sort());
      const [apns] = f.emulator.requests('apns');
      expect(apns.headers).toMatchObject({ 'apns-priority': '10', 'apns-push-type': 'alert' });
      expect(apns.body).toEqual({
        aps: { badge: 1, alert: { title: 'Spring offer', body: 'Save 10 %' }, sound: 'default' },
        campaign: 'spring',
      });
      const [fcm] = f.emulator.requests('fcm');
      expect(fcm.body).toMatchObject({
        message: {
          token: TOKENS.fcm,
          data: { campaign: 'spring' },
          android: {
            notification: {
              title: 'Spring offer',
              body: 'Save 10 %',
              notification_priority: 'PRIORITY_HIGH',
            },
          },
          apns: { headers: { 'apns-priority': '10' } },
        },
      });
      const [hms] = f.emulator.requests('hms');
      expect(hms.body).toMatchObject({
        message: {
          token: [TOKENS.hms],
          android: { notification: { title: 'Spring offer', body: 'Save 10 %', importance: 'HIGH' } },
        },
      });

      // Recorded like any send: one row per device of the user in the campaign's app, not silent, not personal.
      const rows = await t.sql<Record<string, unknown>>(
        'SELECT m.user_id, m.is_silent, m.is_personal, m.status, d.push_token FROM push_message m ' +
          'JOIN push_device_registration d ON d.id = m.device_registration_id',
      );
      expect(
        rows
          .map((row) => ({
            user: row.user_id,
            token: row.push_token,
            silent: bool(row.is_silent),
            personal: bool(row.is_personal),
            status: Number(row.status),
          }))
          .sort((a, b) => String(a.token).localeCompare(String(b.token))),
      ).toEqual(
        [TOKENS.apns, TOKENS.fcm, TOKENS.hms]
          .map((token) => ({ user: 'tester', token, silent: false, personal: false, status: 1 }))
          .sort((a, b) => a.token.localeCompare(b.token)),
      );
      // A test send changes nothing about the campaign.
      const [campaign] = await campaignRows(t);
      expect(campaign).toMatchObject({ is_sent: false, timestamp_sent: null, timestamp_completed: null });
      expect(await userRows(t)).toEqual([[id, 'someone']]);
    });

    it("uses the campaign's app: the same user's devices in the other app get it from that app's campaign", async () => {
      const id = await create(t, MESSAGE, OTHER_APP_ID);
      await t
        .http()
        .post(`/push/campaign/send/test/${id}`)
        .send({ requestObject: { userId: 'tester' } })
        .expect(200);
      expect(tokensReceived().sort()).toEqual([TOKENS.otherAppApns, TOKENS.otherAppFcm].sort());
    });

    it('answers OK and sends nothing to a user without devices', async () => {
      const id = await create(t, MESSAGE);
      const response = await t
        .http()
        .post(`/push/campaign/send/test/${id}`)
        .send({ requestObject: { userId: 'no-devices' } })
        .expect(200);
      expect(response.body).toEqual(OK);
      expect(f.emulator.counts()).toMatchObject({ apns: 0, fcm: 0, hms: 0 });
    });

    it.each<[string, (id: number) => [string, Body], unknown]>([
      [
        'an unknown campaign',
        () => ['/push/campaign/929292', { requestObject: { userId: 'tester' } }],
        generic(MSG.notFound),
      ],
      ['no userId', (id) => [`/push/campaign/${id}`, { requestObject: {} }], generic(MSG.userId)],
      [
        'a null userId',
        (id) => [`/push/campaign/${id}`, { requestObject: { userId: null } }],
        generic(MSG.userId),
      ],
      [
        'a blank userId',
        (id) => [`/push/campaign/${id}`, { requestObject: { userId: ' ' } }],
        generic(MSG.userId),
      ],
      [
        'a userId that is not a string',
        (id) => [`/push/campaign/${id}`, { requestObject: { userId: 5 } }],
        invalid({ fieldName: 'requestObject.userId', invalidValue: 5, hint: 'must be a string' }),
      ],
      [
        'no requestObject',
        (id) => [`/push/campaign/${id}`, {}],
        invalid({ fieldName: 'requestObject', hint: 'must not be null' }),
      ],
      [
        'a non-numeric id',
        () => ['/push/campaign/first', { requestObject: { userId: 'tester' } }],
        badId('first'),
      ],
    ])('answers %s with 400 and sends nothing', async (_case, target, expected) => {
      const id = await create(t, MESSAGE);
      const [prefix, body] = target(id);
      const path = prefix.replace('/push/campaign/', '/push/campaign/send/test/');
      const response = await t.http().post(path).send(body).expect(400);
      expect(response.body).toEqual(expected);
      expect(f.emulator.counts()).toMatchObject({ apns: 0, fcm: 0, hms: 0 });
      expect(await t.sql('SELECT id FROM push_message')).toEqual([]);
    });
  });
});

describe('CAMPAIGN_USER_BODY_LIMIT_BYTES', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        CONTEXT_PATH: '/powerauth-push-server',
        HTTP_BODY_LIMIT_BYTES: '1024',
        CAMPAIGN_USER_BODY_LIMIT_BYTES: '8192',
      },
    });
    await t
      .http()
      .post('/powerauth-push-server/admin/app/create')
      .send({ requestObject: { appId: APP_ID } })
      .expect(200);
  });
  afterAll(() => t.close());

  const tooLarge = {
    status: 'ERROR',
    responseObject: { code: 'ERROR_PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  };
  const users = (bytes: number) => range(Math.ceil(bytes / 52), (i) => `${i}`.padEnd(48, '-'));

  it('applies the larger limit to user add and delete, and the general limit elsewhere', async () => {
    const created = await t
      .http()
      .post('/powerauth-push-server/push/campaign/create')
      .send({ requestObject: { appId: APP_ID, message: { title: 'Hi' } } })
      .expect(200);
    const id = created.body.responseObject.id as number;
    const list = users(6000);
    expect(JSON.stringify({ requestObject: list }).length).toBeGreaterThan(1024);

    await t
      .http()
      .put(`/powerauth-push-server/push/campaign/${id}/user/add`)
      .send({ requestObject: list })
      .expect(200);
    expect(await t.sql('SELECT id FROM push_campaign_user')).toHaveLength(list.length);
    await t
      .http()
      .delete(`/powerauth-push-server/push/campaign/${id}/user/delete/`)
      .send({ requestObject: list })
      .expect(200);
    expect(await t.sql('SELECT id FROM push_campaign_user')).toHaveLength(0);

    const over = await t
      .http()
      .post(`/powerauth-push-server/push/campaign/${id}/user/add`)
      .send({ requestObject: users(9000) })
      .expect(413);
    expect(over.body).toEqual(tooLarge);
    expect(await t.sql('SELECT id FROM push_campaign_user')).toHaveLength(0);

    const general = await t
      .http()
      .post('/powerauth-push-server/push/campaign/create')
      .send({ requestObject: { appId: APP_ID, message: { title: 'x'.repeat(2000) } } })
      .expect(413);
    expect(general.body).toEqual(tooLarge);
  });
});
