import { Logger } from '@nestjs/common';
import { formatDate } from '../../src/common/envelope/envelope';
import { sqliteValue } from '../../src/database/sql-builder';
import { MessageService } from '../../src/modules/message/message.service';
import {
  configureApp,
  DeliveryFixture,
  eventually,
  hexToken,
  registerDevice,
  startDeliveryFixture,
} from '../support/delivery-fixture';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * `/inbox/messages/*` end to end: the real app on a real database, rows asserted in push_inbox and push_inbox_app,
 * the optional push (`sendPush`) asserted at the provider emulator.
 * Compatibility contract: compat notes §0, §1.6, §2 (push_inbox, push_inbox_app) and §6; push-message-extras.md.
 */

type Body = Record<string, unknown>;

const OK = { status: 'OK' };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const AN_ID = expect.stringMatching(UUID_V4);
const A_TIMESTAMP = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
const APP_PATTERN_HINT = 'each item must match "^[a-zA-Z0-9_-]{3,255}$"';
const APP_LIST_NOT_FOUND = 'Application list contained an app that is not configured in the system.';
const INBOX_PUSH_TYPE = 'mtoken.inboxMessage.new';

const appNotFound = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_APP_NOT_FOUND', message },
});

const messageNotFound = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_MESSAGE_NOT_FOUND', message },
});

const invalid = (...violations: Body[]) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_REQUEST', message: 'Invalid method parameter value', violations },
});

/** A valid post for `userId`, with overrides. */
const message = (overrides: Body = {}): Body => ({
  userId: 'user-1',
  type: 'text',
  subject: 'Example subject',
  summary: 'Example summary',
  body: 'Example message body',
  applications: ['app-one'],
  ...overrides,
});

function post(t: TestApp, requestObject: unknown) {
  return t.http().post('/inbox/messages').send({ requestObject });
}

/** Posts and answers the new message's public id. */
async function posted(t: TestApp, overrides: Body = {}): Promise<string> {
  const response = await post(t, message(overrides)).expect(200);
  return response.body.responseObject.id as string;
}

/** Posts, then moves `timestamp_created` to `at` (so that the order of the list is known). */
async function postedAt(t: TestApp, at: string, overrides: Body = {}): Promise<string> {
  const id = await posted(t, overrides);
  await t.sql('UPDATE push_inbox SET timestamp_created = ? WHERE inbox_id = ?', [bind(t, new Date(at)), id]);
  return id;
}

function bind(t: TestApp, value: unknown): unknown {
  return t.database.dialect === 'sqlite' ? sqliteValue(value) : value;
}

const get = (t: TestApp, path: string) => t.http().get(path);
const read = (t: TestApp, requestObject: unknown) =>
  t.http().post('/inbox/messages/read').send({ requestObject });
const readAll = (t: TestApp, requestObject: unknown) =>
  t.http().post('/inbox/messages/read-all').send({ requestObject });
const detail = async (t: TestApp, id: string) =>
  (await get(t, `/inbox/messages/detail?id=${id}`).expect(200)).body;
const count = async (t: TestApp, userId: string, appId: string) =>
  (await get(t, `/inbox/messages/count?userId=${userId}&appId=${appId}`).expect(200)).body;

// ---------------------------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------------------------

interface InboxRow {
  id: number;
  inbox_id: string;
  user_id: string;
  message_type: string;
  subject: string;
  summary: string;
  body: string;
  is_read: boolean;
  timestamp_created: number;
  timestamp_read: number | null;
}

function toMillis(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  // SQLite: "YYYY-MM-DD HH:MM:SS.SSS" in UTC.
  const millis = Date.parse(`${String(value).replace(' ', 'T')}Z`);
  if (Number.isNaN(millis)) throw new Error(`Unparseable timestamp ${String(value)}`);
  return millis;
}

/** push_inbox rows with driver differences (0/1, numeric strings, SQLite text dates) removed, by public id. */
async function inboxRows(t: TestApp): Promise<Map<string, InboxRow>> {
  const rows = await t.sql(
    'SELECT id, inbox_id, user_id, message_type, subject, summary, body, is_read, timestamp_created, ' +
      'timestamp_read FROM push_inbox',
  );
  return new Map(
    rows.map((row) => [
      String(row.inbox_id),
      {
        id: Number(row.id),
        inbox_id: String(row.inbox_id),
        user_id: String(row.user_id),
        message_type: String(row.message_type),
        subject: String(row.subject),
        summary: String(row.summary),
        body: String(row.body),
        is_read: row.is_read === true || Number(row.is_read) === 1,
        timestamp_created: toMillis(row.timestamp_created)!,
        timestamp_read: toMillis(row.timestamp_read),
      },
    ]),
  );
}

async function inboxRow(t: TestApp, inboxId: string): Promise<InboxRow> {
  const row = (await inboxRows(t)).get(inboxId);
  if (!row) throw new Error(`No push_inbox row for ${inboxId}`);
  return row;
}

/** push_inbox_app rows of a message: the internal ids on both sides, and the app IDs they stand for. */
async function links(t: TestApp, inboxId: string) {
  const rows = await t.sql(
    'SELECT a.inbox_id, a.app_credentials_id, c.app_id FROM push_inbox_app a ' +
      'JOIN push_app_credentials c ON c.id = a.app_credentials_id ' +
      'JOIN push_inbox m ON m.id = a.inbox_id WHERE m.inbox_id = ? ORDER BY c.app_id',
    [inboxId],
  );
  return rows.map((row) => ({
    inbox_id: Number(row.inbox_id),
    app_credentials_id: Number(row.app_credentials_id),
    app_id: String(row.app_id),
  }));
}

/** Everything the inbox tables hold, raw: to prove that a rejected request changed nothing. */
async function snapshot(t: TestApp) {
  return {
    inbox: await t.sql('SELECT * FROM push_inbox ORDER BY id'),
    links: await t.sql('SELECT * FROM push_inbox_app ORDER BY inbox_id, app_credentials_id'),
  };
}

async function appIds(t: TestApp): Promise<Record<string, number>> {
  const rows = await t.sql('SELECT id, app_id FROM push_app_credentials');
  return Object.fromEntries(rows.map((row) => [String(row.app_id), Number(row.id)]));
}

// ---------------------------------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------------------------------

describe('/inbox/messages', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    for (const appId of ['app-one', 'app-two', 'app-three']) {
      await t.http().post('/admin/app/create').send({ requestObject: { appId } }).expect(200);
    }
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.sql('DELETE FROM push_inbox_app');
    await t.sql('DELETE FROM push_inbox');
  });

  describe('POST /inbox/messages', () => {
    it('stores the message and its apps, and answers the whole message with a UUID v4 id', async () => {
      const before = Date.now();
      const response = await post(
        t,
        message({ type: 'TEXT', applications: ['app-two', 'app-one'], sendPush: false }),
      ).expect(200);
      expect(response.body).toEqual({
        status: 'OK',
        responseObject: {
          id: AN_ID,
          userId: 'user-1',
          type: 'text',
          subject: 'Example subject',
          summary: 'Example summary',
          body: 'Example message body',
          read: false,
          timestampCreated: A_TIMESTAMP,
          applications: ['app-one', 'app-two'],
        },
      });
      const { id, timestampCreated } = response.body.responseObject;

      const rows = await inboxRows(t);
      expect([...rows.keys()]).toEqual([id]);
      const row = rows.get(id)!;
      expect(row).toEqual({
        id: expect.any(Number),
        inbox_id: id,
        user_id: 'user-1',
        message_type: 'text',
        subject: 'Example subject',
        summary: 'Example summary',
        body: 'Example message body',
        is_read: false,
        timestamp_created: Date.parse(timestampCreated),
        timestamp_read: null,
      });
      expect(row.timestamp_created).toBeGreaterThanOrEqual(before - 1);
      expect(row.timestamp_created).toBeLessThanOrEqual(Date.now());
      // push_inbox_app.inbox_id is push_inbox.id, the internal number, never the UUID.
      const apps = await appIds(t);
      expect(await links(t, id)).toEqual([
        { inbox_id: row.id, app_credentials_id: apps['app-one'], app_id: 'app-one' },
        { inbox_id: row.id, app_credentials_id: apps['app-two'], app_id: 'app-two' },
      ]);
    });

    it('takes the type in any case and stores it lowercase', async () => {
      const response = await post(t, message({ type: 'Html' })).expect(200);
      expect(response.body.responseObject.type).toBe('html');
      expect((await inboxRow(t, response.body.responseObject.id)).message_type).toBe('html');
    });

    it('gives every message its own id', async () => {
      const ids = [await posted(t), await posted(t), await posted(t)];
      expect(new Set(ids).size).toBe(3);
      expect([...(await inboxRows(t)).keys()].sort()).toEqual([...ids].sort());
    });

    it('ignores a duplicate app ID (the original refused it as an unknown app)', async () => {
      const response = await post(t, message({ applications: ['app-two', 'app-one', 'app-two'] })).expect(
        200,
      );
      expect(response.body.responseObject.applications).toEqual(['app-one', 'app-two']);
      expect((await links(t, response.body.responseObject.id)).map((link) => link.app_id)).toEqual([
        'app-one',
        'app-two',
      ]);
    });

    it('accepts the limits: 8 characters, 255 for subject and summary, 65,536 for the body', async () => {
      const id = await posted(t, {
        userId: 'u'.repeat(255),
        subject: 'Exactly8',
        summary: 's'.repeat(255),
        body: 'b'.repeat(65536),
      });
      const row = await inboxRow(t, id);
      expect([row.user_id.length, row.subject, row.summary.length, row.body.length]).toEqual([
        255,
        'Exactly8',
        255,
        65536,
      ]);
    });

    it.each([
      ['an unknown app', ['nope-app']],
      ['one unknown app among known ones', ['app-one', 'nope-app']],
    ])('answers ERROR_APP_NOT_FOUND for %s and stores nothing', async (_, applications) => {
      const response = await post(t, message({ applications })).expect(400);
      expect(response.body).toEqual(appNotFound(APP_LIST_NOT_FOUND));
      expect(await snapshot(t)).toEqual({ inbox: [], links: [] });
    });

    const long = (n: number) => 'x'.repeat(n);
    // Violations echo at most 200 characters of a value.
    const echoed = `${'x'.repeat(200)}…`;

    it.each<[string, Body, Body[]]>([
      [
        'a 7-character subject',
        { subject: 'Seven77' },
        [
          {
            fieldName: 'requestObject.subject',
            invalidValue: 'Seven77',
            hint: 'size must be between 8 and 255',
          },
        ],
      ],
      [
        'a 7-character summary',
        { summary: 'Seven77' },
        [
          {
            fieldName: 'requestObject.summary',
            invalidValue: 'Seven77',
            hint: 'size must be between 8 and 255',
          },
        ],
      ],
      [
        'a 7-character body',
        { body: 'Seven77' },
        [
          {
            fieldName: 'requestObject.body',
            invalidValue: 'Seven77',
            hint: 'size must be between 8 and 65536',
          },
        ],
      ],
      [
        'a 256-character subject',
        { subject: long(256) },
        [
          {
            fieldName: 'requestObject.subject',
            invalidValue: echoed,
            hint: 'size must be between 8 and 255',
          },
        ],
      ],
      [
        'a 65,537-character body',
        { body: long(65537) },
        [
          {
            fieldName: 'requestObject.body',
            invalidValue: echoed,
            hint: 'size must be between 8 and 65536',
          },
        ],
      ],
      [
        'a missing subject, summary and body',
        { subject: undefined, summary: null, body: undefined },
        [
          { fieldName: 'requestObject.subject', hint: 'must not be null' },
          { fieldName: 'requestObject.summary', hint: 'must not be null' },
          { fieldName: 'requestObject.body', hint: 'must not be null' },
        ],
      ],
      [
        'a two-character app ID',
        { applications: ['ab'] },
        [{ fieldName: 'requestObject.applications', hint: APP_PATTERN_HINT }],
      ],
      [
        'an app ID with a space',
        { applications: ['app-one', 'app one'] },
        [{ fieldName: 'requestObject.applications', hint: APP_PATTERN_HINT }],
      ],
      [
        'an app ID that is not a string',
        { applications: ['app-one', 7] },
        [{ fieldName: 'requestObject.applications', hint: 'must be an array of strings' }],
      ],
      [
        'an empty app list',
        { applications: [] },
        [{ fieldName: 'requestObject.applications', hint: 'must not be empty' }],
      ],
      [
        'no app list',
        { applications: undefined },
        [{ fieldName: 'requestObject.applications', hint: 'must not be empty' }],
      ],
      [
        'no userId',
        { userId: undefined },
        [{ fieldName: 'requestObject.userId', hint: 'must not be blank' }],
      ],
      [
        'a blank userId',
        { userId: '  ' },
        [{ fieldName: 'requestObject.userId', invalidValue: '  ', hint: 'must not be blank' }],
      ],
      [
        'a 256-character userId',
        { userId: long(256) },
        [{ fieldName: 'requestObject.userId', invalidValue: echoed, hint: 'size must be between 1 and 255' }],
      ],
      ['no type', { type: undefined }, [{ fieldName: 'requestObject.type', hint: 'must not be null' }]],
      [
        'an unknown type',
        { type: 'markdown' },
        [{ fieldName: 'requestObject.type', invalidValue: 'markdown', hint: 'must be one of: text, html' }],
      ],
      [
        'a sendPush that is not a boolean',
        { sendPush: 'yes' },
        [{ fieldName: 'requestObject.sendPush', invalidValue: 'yes', hint: 'must be a boolean' }],
      ],
      [
        'several problems at once',
        { userId: '', subject: 'short', applications: [] },
        [
          { fieldName: 'requestObject.userId', invalidValue: '', hint: 'must not be blank' },
          {
            fieldName: 'requestObject.subject',
            invalidValue: 'short',
            hint: 'size must be between 8 and 255',
          },
          { fieldName: 'requestObject.applications', hint: 'must not be empty' },
        ],
      ],
    ])('answers 400 ERROR_REQUEST for %s and stores nothing', async (_, overrides, violations) => {
      await posted(t, { userId: 'someone-else' });
      const before = await snapshot(t);
      const response = await post(t, message(overrides)).expect(400);
      expect(response.body).toEqual(invalid(...violations));
      expect(await snapshot(t)).toEqual(before);
    });

    it('answers 400 without requestObject, and for a malformed body', async () => {
      expect((await t.http().post('/inbox/messages').send({}).expect(400)).body).toEqual(
        invalid({ fieldName: 'requestObject', hint: 'must not be null' }),
      );
      const malformed = await t
        .http()
        .post('/inbox/messages')
        .set('Content-Type', 'application/json')
        .send('{"requestObject": {')
        .expect(400);
      expect(malformed.body.responseObject.code).toBe('ERROR_REQUEST');
      expect(await snapshot(t)).toEqual({ inbox: [], links: [] });
    });
  });

  describe('GET /inbox/messages/list', () => {
    const item = (id: string, subject: string, at: string, read = false) => ({
      id,
      type: 'text',
      subject,
      summary: 'Example summary',
      read,
      timestampCreated: formatDate(new Date(at)),
    });

    it('lists the user messages of any of the apps, newest first, without body, in a paged envelope', async () => {
      const first = await postedAt(t, '2024-03-01T10:00:01.100Z', { subject: 'First in one' });
      const both = await postedAt(t, '2024-03-01T10:00:02.200Z', {
        subject: 'Second in both',
        applications: ['app-one', 'app-two'],
      });
      const inTwo = await postedAt(t, '2024-03-01T10:00:03.300Z', {
        subject: 'Third in two',
        applications: ['app-two'],
      });
      await postedAt(t, '2024-03-01T10:00:04.400Z', {
        subject: 'Elsewhere three',
        applications: ['app-three'],
      });
      await postedAt(t, '2024-03-01T10:00:05.500Z', { subject: 'Another user', userId: 'user-2' });

      const response = await get(t, '/inbox/messages/list?userId=user-1&applications=app-one,app-two').expect(
        200,
      );
      expect(response.body).toEqual({
        status: 'OK',
        responseObject: [
          item(inTwo, 'Third in two', '2024-03-01T10:00:03.300Z'),
          item(both, 'Second in both', '2024-03-01T10:00:02.200Z'),
          item(first, 'First in one', '2024-03-01T10:00:01.100Z'),
        ],
        page: 0,
        size: 20,
      });

      // A message in two apps is listed under either.
      const one = await get(t, '/inbox/messages/list?userId=user-1&applications=app-one').expect(200);
      expect(one.body.responseObject.map((m: Body) => m.id)).toEqual([both, first]);
      const two = await get(t, '/inbox/messages/list?userId=user-1&applications=app-two').expect(200);
      expect(two.body.responseObject.map((m: Body) => m.id)).toEqual([inTwo, both]);
    });

    it('takes the apps comma-separated with spaces, or as a repeated parameter, duplicates included', async () => {
      const a = await postedAt(t, '2024-03-01T10:00:01.000Z');
      const b = await postedAt(t, '2024-03-01T10:00:02.000Z', { applications: ['app-two'] });
      for (const query of [
        'applications=app-one,%20app-two',
        'applications=app-one&applications=app-two',
        'applications=app-two,app-one,app-two',
      ]) {
        const response = await get(t, `/inbox/messages/list?userId=user-1&${query}`).expect(200);
        expect(response.body.responseObject.map((m: Body) => m.id)).toEqual([b, a]);
      }
    });

    it('lists only unread messages with onlyUnread=true (any case), all of them otherwise', async () => {
      const older = await postedAt(t, '2024-03-01T10:00:01.000Z');
      const readOne = await postedAt(t, '2024-03-01T10:00:02.000Z');
      const newer = await postedAt(t, '2024-03-01T10:00:03.000Z');
      await read(t, { inboxId: readOne }).expect(200);
      const ids = async (query: string) =>
        (
          await get(t, `/inbox/messages/list?userId=user-1&applications=app-one${query}`).expect(200)
        ).body.responseObject.map((m: Body) => m.id);
      expect(await ids('&onlyUnread=true')).toEqual([newer, older]);
      expect(await ids('&onlyUnread=TRUE')).toEqual([newer, older]);
      expect(await ids('&onlyUnread=false')).toEqual([newer, readOne, older]);
      expect(await ids('&onlyUnread=')).toEqual([newer, readOne, older]);
      expect(await ids('')).toEqual([newer, readOne, older]);
      const all = await get(t, '/inbox/messages/list?userId=user-1&applications=app-one').expect(200);
      expect(all.body.responseObject[1]).toEqual({
        ...item(readOne, 'Example subject', '2024-03-01T10:00:02.000Z'),
        read: true,
      });
    });

    it('pages: full pages, the last partial page, and an empty page past the end', async () => {
      const ids: string[] = [];
      for (let n = 1; n <= 5; n++) {
        ids.push(await postedAt(t, `2024-03-01T10:00:0${n}.000Z`, { subject: `Message ${n} of 5` }));
      }
      const page = async (p: string, s: string) =>
        (
          await get(t, `/inbox/messages/list?userId=user-1&applications=app-one&page=${p}&size=${s}`).expect(
            200,
          )
        ).body;
      const [m1, m2, m3, m4, m5] = ids;
      const at = (n: number) => `2024-03-01T10:00:0${n}.000Z`;
      expect(await page('0', '2')).toEqual({
        status: 'OK',
        responseObject: [item(m5, 'Message 5 of 5', at(5)), item(m4, 'Message 4 of 5', at(4))],
        page: 0,
        size: 2,
      });
      expect((await page('1', '2')).responseObject.map((m: Body) => m.id)).toEqual([m3, m2]);
      expect(await page('2', '2')).toEqual({
        status: 'OK',
        responseObject: [item(m1, 'Message 1 of 5', at(1))],
        page: 2,
        size: 2,
      });
      expect(await page('3', '2')).toEqual({ status: 'OK', responseObject: [], page: 3, size: 2 });
      expect(await page('2147483647', '1000')).toEqual({
        status: 'OK',
        responseObject: [],
        page: 2147483647,
        size: 1000,
      });
      expect((await page('0', '1000')).responseObject).toHaveLength(5);
      expect((await page('', '')).size).toBe(20);
    });

    it('breaks a tie on timestamp_created by the internal id, newest first, so pages are stable', async () => {
      const ids = [];
      for (let n = 0; n < 4; n++) ids.push(await postedAt(t, '2024-03-01T10:00:00.000Z'));
      const rows = await inboxRows(t);
      const expected = [...ids].sort((a, b) => rows.get(b)!.id - rows.get(a)!.id);
      const listed = [];
      for (const p of [0, 1]) {
        const response = await get(
          t,
          `/inbox/messages/list?userId=user-1&applications=app-one&page=${p}&size=2`,
        ).expect(200);
        listed.push(...response.body.responseObject.map((m: Body) => m.id));
      }
      expect(listed).toEqual(expected);
    });

    it('answers an empty list for a user without messages', async () => {
      expect(
        (await get(t, '/inbox/messages/list?userId=nobody&applications=app-one').expect(200)).body,
      ).toEqual({
        status: 'OK',
        responseObject: [],
        page: 0,
        size: 20,
      });
    });

    it.each([
      ['an unknown app', 'userId=user-1&applications=nope-app'],
      ['one unknown app among known ones', 'userId=user-1&applications=app-one,nope-app'],
    ])('answers ERROR_APP_NOT_FOUND for %s', async (_, query) => {
      const response = await get(t, `/inbox/messages/list?${query}`).expect(400);
      expect(response.body).toEqual(appNotFound(APP_LIST_NOT_FOUND));
    });

    it.each<[string, string, Body[]]>([
      [
        'size 0',
        'size=0',
        [{ fieldName: 'size', invalidValue: '0', hint: 'must be greater than or equal to 1' }],
      ],
      [
        'a negative size',
        'size=-5',
        [{ fieldName: 'size', invalidValue: '-5', hint: 'must be greater than or equal to 1' }],
      ],
      [
        'a size over 1000',
        'size=1001',
        [{ fieldName: 'size', invalidValue: '1001', hint: 'must be less than or equal to 1000' }],
      ],
      [
        'a non-numeric page',
        'page=abc',
        [{ fieldName: 'page', invalidValue: 'abc', hint: 'must be a whole number' }],
      ],
      [
        'a negative page',
        'page=-1',
        [{ fieldName: 'page', invalidValue: '-1', hint: 'must be greater than or equal to 0' }],
      ],
      [
        'a non-numeric size',
        'size=ten',
        [{ fieldName: 'size', invalidValue: 'ten', hint: 'must be a whole number' }],
      ],
      [
        'an onlyUnread that is not a boolean',
        'onlyUnread=maybe',
        [{ fieldName: 'onlyUnread', invalidValue: 'maybe', hint: 'must be true or false' }],
      ],
    ])('answers 400 ERROR_REQUEST for %s', async (_, query, violations) => {
      const response = await get(
        t,
        `/inbox/messages/list?userId=user-1&applications=app-one&${query}`,
      ).expect(400);
      expect(response.body).toEqual(invalid(...violations));
    });

    it.each<[string, string, Body[]]>([
      ['no userId', 'applications=app-one', [{ fieldName: 'userId', hint: 'must not be blank' }]],
      [
        'a blank userId',
        'userId=&applications=app-one',
        [{ fieldName: 'userId', invalidValue: '', hint: 'must not be blank' }],
      ],
      [
        'a repeated userId',
        'userId=a&userId=b&applications=app-one',
        [{ fieldName: 'userId', hint: 'must be a string' }],
      ],
      ['no applications', 'userId=user-1', [{ fieldName: 'applications', hint: 'must not be empty' }]],
      [
        'empty applications',
        'userId=user-1&applications=%20,',
        [{ fieldName: 'applications', hint: 'must not be empty' }],
      ],
      [
        'nothing',
        '',
        [
          { fieldName: 'userId', hint: 'must not be blank' },
          { fieldName: 'applications', hint: 'must not be empty' },
        ],
      ],
    ])('answers 400 ERROR_REQUEST for %s (the original: 500)', async (_, query, violations) => {
      const response = await get(t, `/inbox/messages/list?${query}`).expect(400);
      expect(response.body).toEqual(invalid(...violations));
    });
  });

  describe('GET /inbox/messages/count', () => {
    it('counts the unread messages of the user linked to the app', async () => {
      await posted(t);
      await posted(t, { applications: ['app-one', 'app-two'] });
      const readOne = await posted(t);
      await posted(t, { applications: ['app-two'] });
      await posted(t, { userId: 'user-2' });
      await read(t, { inboxId: readOne }).expect(200);

      expect(await count(t, 'user-1', 'app-one')).toEqual({
        status: 'OK',
        responseObject: { countUnread: 2 },
      });
      expect(await count(t, 'user-1', 'app-two')).toEqual({
        status: 'OK',
        responseObject: { countUnread: 2 },
      });
      expect(await count(t, 'user-1', 'app-three')).toEqual({
        status: 'OK',
        responseObject: { countUnread: 0 },
      });
      expect(await count(t, 'user-2', 'app-one')).toEqual({
        status: 'OK',
        responseObject: { countUnread: 1 },
      });
      expect(await count(t, 'nobody', 'app-one')).toEqual({
        status: 'OK',
        responseObject: { countUnread: 0 },
      });
    });

    it('answers ERROR_APP_NOT_FOUND for an unknown app', async () => {
      const response = await get(t, '/inbox/messages/count?userId=user-1&appId=nope-app').expect(400);
      expect(response.body).toEqual(appNotFound('Application was not found: nope-app'));
    });

    it.each<[string, string, Body[]]>([
      ['no appId', 'userId=user-1', [{ fieldName: 'appId', hint: 'must not be blank' }]],
      ['no userId', 'appId=app-one', [{ fieldName: 'userId', hint: 'must not be blank' }]],
      [
        'a 256-character appId',
        `userId=user-1&appId=${'a'.repeat(256)}`,
        [{ fieldName: 'appId', invalidValue: `${'a'.repeat(200)}…`, hint: 'size must be between 1 and 255' }],
      ],
    ])('answers 400 ERROR_REQUEST for %s', async (_, query, violations) => {
      const response = await get(t, `/inbox/messages/count?${query}`).expect(400);
      expect(response.body).toEqual(invalid(...violations));
    });
  });

  describe('GET /inbox/messages/detail', () => {
    it('answers the whole message by its id, with every app', async () => {
      const response = await post(
        t,
        message({ type: 'html', body: '<p>Hello there</p>', applications: ['app-two', 'app-one'] }),
      );
      const { id, timestampCreated } = response.body.responseObject;
      expect(await detail(t, id)).toEqual({
        status: 'OK',
        responseObject: {
          id,
          userId: 'user-1',
          type: 'html',
          subject: 'Example subject',
          summary: 'Example summary',
          body: '<p>Hello there</p>',
          read: false,
          timestampCreated,
          applications: ['app-one', 'app-two'],
        },
      });
      // The same payload the post answered.
      expect((await detail(t, id)).responseObject).toEqual(response.body.responseObject);
    });

    it('answers ERROR_MESSAGE_NOT_FOUND for an unknown id', async () => {
      const unknown = 'ae641389-d37a-4425-bd14-41c29484596f';
      const response = await get(t, `/inbox/messages/detail?id=${unknown}`).expect(400);
      expect(response.body).toEqual(messageNotFound(`Unable to fetch message: ${unknown}.`));
    });

    it('answers 400 ERROR_REQUEST without id (the docs name it messageId; the code uses id)', async () => {
      const violation = { fieldName: 'id', hint: 'must not be blank' };
      expect((await get(t, '/inbox/messages/detail').expect(400)).body).toEqual(invalid(violation));
      expect((await get(t, `/inbox/messages/detail?messageId=${await posted(t)}`).expect(400)).body).toEqual(
        invalid(violation),
      );
    });
  });

  describe('POST /inbox/messages/read', () => {
    it('marks the message read once and answers it with timestampRead; reading again changes nothing', async () => {
      const id = await posted(t, { applications: ['app-one', 'app-two'] });
      const other = await posted(t);
      const before = Date.now();
      const first = await read(t, { inboxId: id }).expect(200);
      expect(first.body).toEqual({
        status: 'OK',
        responseObject: {
          id,
          userId: 'user-1',
          type: 'text',
          subject: 'Example subject',
          summary: 'Example summary',
          body: 'Example message body',
          read: true,
          timestampCreated: A_TIMESTAMP,
          timestampRead: A_TIMESTAMP,
          applications: ['app-one', 'app-two'],
        },
      });
      const row = await inboxRow(t, id);
      expect(row.is_read).toBe(true);
      expect(row.timestamp_read).toBe(Date.parse(first.body.responseObject.timestampRead));
      expect(row.timestamp_read).toBeGreaterThanOrEqual(before - 1);

      await new Promise((resolve) => setTimeout(resolve, 5));
      const again = await read(t, { inboxId: id }).expect(200);
      expect(again.body).toEqual(first.body);
      expect(await inboxRow(t, id)).toEqual(row);
      expect(await detail(t, id)).toEqual(first.body);
      // Nothing else was read.
      expect((await inboxRow(t, other)).is_read).toBe(false);
    });

    it('sets timestamp_read once when two reads race', async () => {
      const id = await posted(t);
      const answers = await Promise.all([1, 2, 3].map(() => read(t, { inboxId: id }).expect(200)));
      const timestamps = answers.map((answer) => answer.body.responseObject.timestampRead);
      expect(new Set(timestamps).size).toBe(1);
      expect((await inboxRow(t, id)).timestamp_read).toBe(Date.parse(timestamps[0]));
    });

    it('is served as PUT too (the docs say PUT), with the same body', async () => {
      const id = await posted(t);
      const response = await t
        .http()
        .put('/inbox/messages/read')
        .send({ requestObject: { inboxId: id } })
        .expect(200);
      expect(response.body.responseObject).toMatchObject({ id, read: true, timestampRead: A_TIMESTAMP });
    });

    it('answers ERROR_MESSAGE_NOT_FOUND for an unknown id and changes nothing', async () => {
      await posted(t);
      const before = await snapshot(t);
      const response = await read(t, { inboxId: 'no-such-message' }).expect(400);
      expect(response.body).toEqual(messageNotFound('Unable to mark message: no-such-message as read.'));
      expect(await snapshot(t)).toEqual(before);
    });

    it.each<[string, unknown, Body[]]>([
      ['no inboxId', {}, [{ fieldName: 'requestObject.inboxId', hint: 'must not be blank' }]],
      [
        'a blank inboxId',
        { inboxId: ' ' },
        [{ fieldName: 'requestObject.inboxId', invalidValue: ' ', hint: 'must not be blank' }],
      ],
      [
        'an inboxId that is not a string',
        { inboxId: 42 },
        [{ fieldName: 'requestObject.inboxId', invalidValue: 42, hint: 'must be a string' }],
      ],
      ['no requestObject', undefined, [{ fieldName: 'requestObject', hint: 'must not be null' }]],
    ])('answers 400 ERROR_REQUEST for %s and changes nothing', async (_, requestObject, violations) => {
      await posted(t);
      const before = await snapshot(t);
      const response = await read(t, requestObject).expect(400);
      expect(response.body).toEqual(invalid(...violations));
      expect(await snapshot(t)).toEqual(before);
    });
  });

  describe('POST /inbox/messages/read-all', () => {
    it("marks read only that user's unread messages linked to that app, and is idempotent", async () => {
      const inOne = await posted(t);
      const inBoth = await posted(t, { applications: ['app-one', 'app-two'] });
      const readBefore = await posted(t);
      const inTwo = await posted(t, { applications: ['app-two'] });
      const otherUser = await posted(t, { userId: 'user-2' });
      await read(t, { inboxId: readBefore }).expect(200);
      const earlier = await inboxRows(t);

      const before = Date.now();
      expect((await readAll(t, { userId: 'user-1', appId: 'app-one' }).expect(200)).body).toEqual(OK);
      const after = await inboxRows(t);
      for (const id of [inOne, inBoth]) {
        expect(after.get(id)).toEqual({
          ...earlier.get(id),
          is_read: true,
          timestamp_read: expect.any(Number),
        });
        expect(after.get(id)!.timestamp_read).toBeGreaterThanOrEqual(before - 1);
      }
      // Already read: its timestamp_read stays the first one.
      expect(after.get(readBefore)).toEqual(earlier.get(readBefore));
      expect(after.get(inTwo)).toEqual(earlier.get(inTwo));
      expect(after.get(otherUser)).toEqual(earlier.get(otherUser));
      expect(await count(t, 'user-1', 'app-one')).toEqual({
        status: 'OK',
        responseObject: { countUnread: 0 },
      });
      expect(await count(t, 'user-1', 'app-two')).toEqual({
        status: 'OK',
        responseObject: { countUnread: 1 },
      });

      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await readAll(t, { userId: 'user-1', appId: 'app-one' }).expect(200)).body).toEqual(OK);
      expect(await inboxRows(t)).toEqual(after);
    });

    it('is served as PUT too, with the same body', async () => {
      const id = await posted(t);
      await t
        .http()
        .put('/inbox/messages/read-all')
        .send({ requestObject: { userId: 'user-1', appId: 'app-one' } })
        .expect(200);
      expect((await inboxRow(t, id)).is_read).toBe(true);
    });

    it('answers ERROR_APP_NOT_FOUND for an unknown app and changes nothing', async () => {
      await posted(t);
      const before = await snapshot(t);
      const response = await readAll(t, { userId: 'user-1', appId: 'nope-app' }).expect(400);
      expect(response.body).toEqual(appNotFound('Application was not found: nope-app'));
      expect(await snapshot(t)).toEqual(before);
    });

    it.each<[string, unknown, Body[]]>([
      ['no appId', { userId: 'user-1' }, [{ fieldName: 'requestObject.appId', hint: 'must not be blank' }]],
      ['no userId', { appId: 'app-one' }, [{ fieldName: 'requestObject.userId', hint: 'must not be blank' }]],
      [
        'a 256-character userId',
        { userId: 'u'.repeat(256), appId: 'app-one' },
        [
          {
            fieldName: 'requestObject.userId',
            invalidValue: `${'u'.repeat(200)}…`,
            hint: 'size must be between 1 and 255',
          },
        ],
      ],
      ['no requestObject', undefined, [{ fieldName: 'requestObject', hint: 'must not be null' }]],
    ])('answers 400 ERROR_REQUEST for %s and changes nothing', async (_, requestObject, violations) => {
      await posted(t);
      const before = await snapshot(t);
      const response = await readAll(t, requestObject).expect(400);
      expect(response.body).toEqual(invalid(...violations));
      expect(await snapshot(t)).toEqual(before);
    });
  });

  it('answers a wrong method with 405 and the allowed ones', async () => {
    const response = await t.http().delete('/inbox/messages/read').expect(405);
    expect(response.body.responseObject.code).toBe('ERROR_METHOD_NOT_ALLOWED');
    expect(response.headers.allow).toBe('POST, PUT');
    expect((await t.http().get('/inbox/messages').expect(405)).headers.allow).toBe('POST');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The push announcing a new message (sendPush)
// ---------------------------------------------------------------------------------------------------------------

describe('POST /inbox/messages with sendPush', () => {
  let f: DeliveryFixture;
  const APNS = hexToken('a1', 1);
  const FCM = 'fcm-user-1-mobile';
  const HMS = 'hms-user-1-mobile';
  const FCM_SECOND = 'fcm-user-1-second';
  const FCM_BARE = 'fcm-user-1-bare';
  const FCM_OTHER_USER = 'fcm-user-2-mobile';
  const FCM_UNLISTED = 'fcm-user-1-unlisted';

  beforeAll(async () => {
    f = await startDeliveryFixture();
    await configureApp(f.t, 'second-app', f.credentials);
    await configureApp(f.t, 'unlisted-app', f.credentials);
    // An app without any push credentials.
    await f.t
      .http()
      .post('/admin/app/create')
      .send({ requestObject: { appId: 'bare-app' } })
      .expect(200);
    const devices = [
      { platform: 'apns', token: APNS, userId: 'user-1' },
      { platform: 'fcm', token: FCM, userId: 'user-1' },
      { platform: 'hms', token: HMS, userId: 'user-1' },
      { platform: 'fcm', token: FCM_SECOND, userId: 'user-1', appId: 'second-app' },
      { platform: 'fcm', token: FCM_BARE, userId: 'user-1', appId: 'bare-app' },
      { platform: 'fcm', token: FCM_UNLISTED, userId: 'user-1', appId: 'unlisted-app' },
      { platform: 'fcm', token: FCM_OTHER_USER, userId: 'user-2' },
    ];
    for (const [n, device] of devices.entries()) {
      await registerDevice(f.t, { ...device, activationId: `act-${n}` });
    }
  });
  afterAll(() => f.close());
  beforeEach(async () => {
    f.emulator.reset();
    await f.t.sql('DELETE FROM push_message');
  });
  afterEach(() => jest.restoreAllMocks());

  /** push_message rows with their device's token, by token. */
  async function pushRows() {
    const rows = await f.t.sql(
      'SELECT d.push_token, m.user_id, m.is_silent, m.status, m.message_body, m.last_error FROM push_message m ' +
        'JOIN push_device_registration d ON d.id = m.device_registration_id ORDER BY d.push_token',
    );
    return rows.map((row) => ({
      token: String(row.push_token),
      userId: String(row.user_id),
      silent: row.is_silent === true || Number(row.is_silent) === 1,
      status: Number(row.status),
      body: JSON.parse(String(row.message_body)) as unknown,
      lastError: row.last_error as string | null,
    }));
  }

  /** Device tokens the emulator received a push for, over all providers. */
  function tokensReceived(): string[] {
    const apns = f.emulator.requests('apns').map((r) => r.path.replace('/3/device/', ''));
    const fcm = f.emulator
      .requests('fcm')
      .map((r) => (r.body as { message: { token: string } }).message.token);
    const hms = f.emulator
      .requests('hms')
      .flatMap((r) => (r.body as { message: { token: string[] } }).message.token);
    return [...apns, ...fcm, ...hms].sort();
  }

  const extras = (inboxId: string) => ({ messageType: INBOX_PUSH_TYPE, inboxId });

  it("sends a silent push with messageType and inboxId to the user's devices in the message's app only", async () => {
    const response = await post(f.t, message({ applications: ['mobile-app'], sendPush: true })).expect(200);
    const inboxId = response.body.responseObject.id as string;
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        id: AN_ID,
        userId: 'user-1',
        type: 'text',
        subject: 'Example subject',
        summary: 'Example summary',
        body: 'Example message body',
        read: false,
        timestampCreated: A_TIMESTAMP,
        applications: ['mobile-app'],
      },
    });
    // The message is stored, and the pushes are on disk by the time the post answers.
    expect((await inboxRow(f.t, inboxId)).user_id).toBe('user-1');
    const recorded = await pushRows();
    expect(recorded.map((row) => row.token)).toEqual([APNS, FCM, HMS].sort());
    for (const row of recorded) {
      expect(row).toMatchObject({ userId: 'user-1', silent: true, body: { extras: extras(inboxId) } });
    }

    await eventually(async () => expect((await pushRows()).map((row) => row.status)).toEqual([1, 1, 1]));
    expect(tokensReceived()).toEqual([APNS, FCM, HMS].sort());
    const [apns] = f.emulator.requests('apns');
    expect(apns.headers['apns-push-type']).toBe('background');
    expect(apns.body).toEqual({ aps: { 'content-available': 1 }, ...extras(inboxId) });
    const [fcm] = f.emulator.requests('fcm');
    const fcmMessage = (fcm.body as { message: { data: unknown; apns: { headers: Body } } }).message;
    expect(fcmMessage.data).toEqual(extras(inboxId));
    expect(fcmMessage.apns.headers['apns-push-type']).toBe('background');
    const [hms] = f.emulator.requests('hms');
    expect(JSON.parse((hms.body as { message: { data: string } }).message.data)).toEqual(extras(inboxId));
  });

  it('sends to the devices of every app of the message, each push naming the same message', async () => {
    const response = await post(
      f.t,
      message({ applications: ['second-app', 'mobile-app'], sendPush: true }),
    ).expect(200);
    const inboxId = response.body.responseObject.id as string;
    const expected = [APNS, FCM, HMS, FCM_SECOND].sort();
    expect((await pushRows()).map((row) => row.token)).toEqual(expected);
    await eventually(async () => expect((await pushRows()).map((row) => row.status)).toEqual([1, 1, 1, 1]));
    expect(tokensReceived()).toEqual(expected);
    for (const request of f.emulator.requests('fcm')) {
      expect((request.body as { message: { data: unknown } }).message.data).toEqual(extras(inboxId));
    }
  });

  it.each([
    ['without sendPush', {}],
    ['with sendPush false', { sendPush: false }],
    ['with sendPush null', { sendPush: null }],
  ])('sends nothing %s (the original behaviour)', async (_, flag) => {
    const response = await post(f.t, message({ applications: ['mobile-app', 'second-app'], ...flag })).expect(
      200,
    );
    expect((await inboxRow(f.t, response.body.responseObject.id)).user_id).toBe('user-1');
    // The pipeline sends only recorded rows: none means nothing will be sent.
    expect(await pushRows()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(f.emulator.requests()).toEqual([]);
  });

  it('posts the message when an app has no push credentials: that push is recorded as FAILED', async () => {
    const response = await post(f.t, message({ applications: ['bare-app'], sendPush: true })).expect(200);
    const inboxId = response.body.responseObject.id as string;
    expect((await inboxRow(f.t, inboxId)).user_id).toBe('user-1');
    expect(await pushRows()).toEqual([
      {
        token: FCM_BARE,
        userId: 'user-1',
        silent: true,
        status: -1,
        body: { extras: extras(inboxId) },
        lastError: 'FCM is not configured for this app',
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(f.emulator.requests()).toEqual([]);
  });

  it('posts the message for a user without devices', async () => {
    const response = await post(
      f.t,
      message({ userId: 'no-devices', applications: ['mobile-app'], sendPush: true }),
    );
    expect(response.status).toBe(200);
    expect(await pushRows()).toEqual([]);
  });

  it('still answers the posted message when the push cannot be recorded', async () => {
    jest.spyOn(f.t.app.get(MessageService), 'send').mockRejectedValueOnce(new Error('database unavailable'));
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const response = await post(f.t, message({ applications: ['mobile-app'], sendPush: true })).expect(200);
    expect(response.body.responseObject).toMatchObject({ userId: 'user-1', applications: ['mobile-app'] });
    expect((await inboxRow(f.t, response.body.responseObject.id)).is_read).toBe(false);
    expect(await pushRows()).toEqual([]);
    expect(logged).toHaveBeenCalledWith(
      `Inbox message ${response.body.responseObject.id} was posted, but its push to app mobile-app could not be ` +
        'recorded: database unavailable',
    );
  });

  it('sends nothing for a rejected post', async () => {
    await post(f.t, message({ applications: ['mobile-app', 'nope-app'], sendPush: true })).expect(400);
    await post(f.t, message({ subject: 'short', applications: ['mobile-app'], sendPush: true })).expect(400);
    expect(await pushRows()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(f.emulator.requests()).toEqual([]);
  });
});
