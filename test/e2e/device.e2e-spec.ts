import { FakePowerAuthServer } from '../support/fake-powerauth-server';
import { MALFORMED_JSON } from '../support/error-envelopes';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * `/push/device/*` end to end: the real app on a real database, rows asserted in push_device_registration.
 * Compatibility contract: docs compat notes §0, §1.2, §2 and the original's tests of §7.
 */

const APP_ID = 'mobile-app';
const OTHER_APP_ID = 'other-app';
const OK = { status: 'OK' };
const DEVICES_SQL =
  'SELECT id, activation_id, user_id, app_id, platform, push_token, is_active, environment ' +
  'FROM push_device_registration ORDER BY id';

const MSG = {
  appId: 'App ID must not be null.',
  activationId: 'Activation ID must not be null.',
  platform: 'Platform must not be null.',
  token: 'Push token must not be null or empty.',
  appNotFound: 'Application with given ID does not exist',
  notActive: 'Device registration failed because associated activation is not ACTIVE',
  statusUnknown: 'Device registration failed because activation status is unknown',
  multipleRegistrations:
    'Multiple device registrations found for push token. Use the /push/device/create/multi endpoint for this scenario.',
  multiDisabled: 'Registration of multiple associated activations per device is not enabled.',
  listNull: 'Activation ID list must not be null.',
  listEmpty: 'Activation ID list must not empty.',
  environmentNotSupported: 'Environment specified for a platform that does not support environment setting.',
  multiFailed: 'Device registration failed',
  userIdRequired: 'User ID must be provided when no PowerAuth Server is configured (POWERAUTH_SERVICE_URL).',
  updateStatusUnknown: 'Update device status failed because activation status is unknown',
} as const;

const PLATFORM_HINT = 'must be one of: apns, fcm, hms, ios, android, huawei';
const ENVIRONMENT_HINT = 'must be one of: development, production';
const STATUS_HINT = 'must be one of: CREATED, PENDING_COMMIT, ACTIVE, BLOCKED, REMOVED';

type Body = Record<string, unknown>;

interface DeviceRow {
  id: number;
  activation_id: string | null;
  user_id: string | null;
  app_id: number;
  platform: string;
  push_token: string;
  is_active: boolean | null;
  environment: string | null;
}

/** A 36-character activation ID, distinct per number. */
const act = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const generic = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_GENERIC', message },
});

const invalid = (...violations: Body[]) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_REQUEST', message: 'Invalid method parameter value', violations },
});

/**
 * Rows of push_device_registration with driver differences (0/1 vs true/false, numeric strings) removed, sorted by
 * activation ID: on PostgreSQL the ID sequence is cached per connection (CACHE 20), so ID order is not insert order.
 */
async function devices(t: TestApp): Promise<DeviceRow[]> {
  const rows = await t.sql<Record<string, unknown>>(DEVICES_SQL);
  const normalized = rows.map((row) => ({
    id: Number(row.id),
    activation_id: row.activation_id as string | null,
    user_id: row.user_id as string | null,
    app_id: Number(row.app_id),
    platform: row.platform as string,
    push_token: row.push_token as string,
    is_active: row.is_active === null ? null : Boolean(Number(row.is_active)),
    environment: row.environment as string | null,
  }));
  return normalized.sort((a, b) => ((a.activation_id ?? '') < (b.activation_id ?? '') ? -1 : 1));
}

async function lastRegisteredYears(t: TestApp): Promise<number[]> {
  const rows = await t.sql<{ ts: unknown }>(
    'SELECT timestamp_last_registered AS ts FROM push_device_registration ORDER BY activation_id',
  );
  return rows.map(({ ts }) => (ts instanceof Date ? ts.getFullYear() : Number(String(ts).slice(0, 4))));
}

/** Creates an app through the admin API and returns its internal push_app_credentials.id. */
async function createApp(t: TestApp, appId: string): Promise<number> {
  const response = await t.http().post('/admin/app/create').send({ requestObject: { appId } });
  expect(response.status).toBe(200);
  const [row] = await t.sql<{ id: unknown }>('SELECT id FROM push_app_credentials WHERE app_id = ?', [appId]);
  return Number(row.id);
}

/** A row written directly, as another node or an older server would have left it. */
async function insertDevice(
  t: TestApp,
  appPk: number,
  activationId: string,
  token: string,
  userId = 'user-1',
) {
  await t.sql(
    'INSERT INTO push_device_registration ' +
      '(activation_id, user_id, app_id, platform, push_token, timestamp_last_registered, is_active) ' +
      "VALUES (?, ?, ?, 'apns', ?, CURRENT_TIMESTAMP, ?)",
    [activationId, userId, appPk, token, 1],
  );
}

const create = (t: TestApp, requestObject: unknown) =>
  t.http().post('/push/device/create').send({ requestObject });

const createMulti = (t: TestApp, requestObject: unknown) =>
  t.http().post('/push/device/create/multi').send({ requestObject });

function expectOk(response: { status: number; body: unknown }) {
  expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: OK });
}

function expectError(response: { status: number; body: unknown }, body: unknown) {
  expect({ status: response.status, body: response.body }).toEqual({ status: 400, body });
}

describe('/push/device without a PowerAuth Server', () => {
  let t: TestApp;
  let app: number;
  let otherApp: number;

  /** The expected row; `id` matches any number unless given. */
  const row = (fields: {
    id?: number;
    activation: string;
    token: string;
    user?: string | null;
    platform?: string;
    active?: boolean | null;
    environment?: string | null;
    app?: number;
  }): DeviceRow => ({
    id: fields.id ?? expect.any(Number),
    activation_id: fields.activation,
    user_id: fields.user === undefined ? 'user-1' : fields.user,
    app_id: fields.app ?? app,
    platform: fields.platform ?? 'apns',
    push_token: fields.token,
    is_active: fields.active === undefined ? true : fields.active,
    environment: fields.environment ?? null,
  });

  const registration = (overrides: Body = {}): Body => ({
    appId: APP_ID,
    activationId: act(1),
    token: 'token-1',
    platform: 'apns',
    userId: 'user-1',
    ...overrides,
  });

  beforeAll(async () => {
    t = await startTestApp();
    app = await createApp(t, APP_ID);
    otherApp = await createApp(t, OTHER_APP_ID);
  });
  afterAll(() => t.close());
  beforeEach(() => t.sql('DELETE FROM push_device_registration'));

  describe('POST /push/device/create', () => {
    it('registers with the userId of the request as ACTIVE, storing platform verbatim and environment lower-case', async () => {
      await expectOk(
        await create(t, registration({ platform: 'ios', environment: 'PRODUCTION', token: 'ios-token' })),
      );
      expect(await devices(t)).toEqual([
        row({ activation: act(1), token: 'ios-token', platform: 'ios', environment: 'production' }),
      ]);
    });

    it('stores each of the six platform values as sent', async () => {
      const platforms = ['apns', 'fcm', 'hms', 'ios', 'android', 'huawei'];
      for (const [index, platform] of platforms.entries()) {
        await expectOk(
          await create(t, registration({ activationId: act(index + 1), token: `t-${platform}`, platform })),
        );
      }
      expect(await devices(t)).toEqual(
        platforms.map((platform, index) =>
          row({ activation: act(index + 1), token: `t-${platform}`, platform }),
        ),
      );
    });

    it('stores environment development/production case-insensitively and null when absent', async () => {
      await expectOk(
        await create(t, registration({ activationId: act(1), token: 'a', environment: 'Development' })),
      );
      await expectOk(
        await create(t, registration({ activationId: act(2), token: 'b', environment: 'production' })),
      );
      await expectOk(await create(t, registration({ activationId: act(3), token: 'c', environment: null })));
      await expectOk(await create(t, registration({ activationId: act(4), token: 'd' })));
      expect(await devices(t)).toEqual([
        row({ activation: act(1), token: 'a', environment: 'development' }),
        row({ activation: act(2), token: 'b', environment: 'production' }),
        row({ activation: act(3), token: 'c' }),
        row({ activation: act(4), token: 'd' }),
      ]);
    });

    it('requires a userId when no PowerAuth Server is configured', async () => {
      await expectError(await create(t, registration({ userId: undefined })), generic(MSG.userIdRequired));
      await expectError(
        await create(t, registration({ userId: null, activationStatus: 'ACTIVE' })),
        generic(MSG.userIdRequired),
      );
      await expectError(await create(t, registration({ userId: '' })), generic(MSG.userIdRequired));
      expect(await devices(t)).toEqual([]);
    });

    it.each(['BLOCKED', 'CREATED', 'PENDING_COMMIT'])(
      'registers an activation %s in the request as inactive',
      async (activationStatus) => {
        await expectOk(await create(t, registration({ activationStatus, userId: 'user-7' })));
        expect(await devices(t)).toEqual([
          row({ activation: act(1), token: 'token-1', user: 'user-7', active: false }),
        ]);
      },
    );

    it('registers activationStatus ACTIVE as active', async () => {
      await expectOk(await create(t, registration({ activationStatus: 'ACTIVE' })));
      expect(await devices(t)).toEqual([row({ activation: act(1), token: 'token-1', active: true })]);
    });

    it('rejects an activation REMOVED in the request and leaves an existing row alone', async () => {
      await expectError(
        await create(t, registration({ activationStatus: 'REMOVED' })),
        generic(MSG.notActive),
      );
      expect(await devices(t)).toEqual([]);
      await expectOk(await create(t, registration()));
      const before = await devices(t);
      await expectError(
        await create(t, registration({ activationStatus: 'REMOVED', token: 'new-token' })),
        generic(MSG.notActive),
      );
      expect(await devices(t)).toEqual(before);
    });

    it.each([
      ['appId missing', { appId: undefined }, MSG.appId],
      ['appId null', { appId: null }, MSG.appId],
      ['activationId missing', { activationId: undefined }, MSG.activationId],
      ['activationId null', { activationId: null }, MSG.activationId],
      ['activationId empty', { activationId: '' }, MSG.activationId],
      ['platform missing', { platform: undefined }, MSG.platform],
      ['platform null', { platform: null }, MSG.platform],
      ['token missing', { token: undefined }, MSG.token],
      ['token null', { token: null }, MSG.token],
      ['token empty', { token: '' }, MSG.token],
      ['unknown app', { appId: 'no-such-app' }, MSG.appNotFound],
      [
        'everything missing (appId is checked first)',
        { appId: null, activationId: null, token: null },
        MSG.appId,
      ],
      [
        'activationId, platform and token missing',
        { activationId: null, platform: null, token: null },
        MSG.activationId,
      ],
      ['platform and token missing', { platform: null, token: null }, MSG.platform],
    ])('answers 400 ERROR_GENERIC for %s and writes no row', async (_case, overrides, message) => {
      await expectError(await create(t, registration(overrides)), generic(message));
      expect(await devices(t)).toEqual([]);
    });

    it('answers an empty requestObject with the first hand-validated message', async () => {
      await expectError(await create(t, {}), generic(MSG.appId));
      expect(await devices(t)).toEqual([]);
    });

    it('ignores unknown properties in requestObject and next to it', async () => {
      const response = await t
        .http()
        .post('/push/device/create')
        .send({
          requestObject: { ...registration(), unknownField: 'x', nested: { deep: [1, 2] }, flag: true },
          unknownTopLevel: 42,
        });
      await expectOk(response);
      expect(await devices(t)).toEqual([row({ activation: act(1), token: 'token-1' })]);
    });

    it('accepts a 255-character token and a 37-character activation ID', async () => {
      const token = 'x'.repeat(255);
      const activationId = 'a'.repeat(37);
      await expectOk(await create(t, registration({ token, activationId })));
      expect(await devices(t)).toEqual([row({ activation: activationId, token })]);
    });

    describe('bad input: 400 ERROR_REQUEST with violations, no row changed', () => {
      let before: DeviceRow[];

      beforeEach(async () => {
        await expectOk(await create(t, registration()));
        before = await devices(t);
        expect(before).toEqual([row({ activation: act(1), token: 'token-1' })]);
      });
      afterEach(async () => {
        expect(await devices(t)).toEqual(before);
      });

      it('missing or null requestObject', async () => {
        const expected = invalid({ fieldName: 'requestObject', hint: 'must not be null' });
        await expectError(await t.http().post('/push/device/create').send({}), expected);
        await expectError(await t.http().post('/push/device/create').send({ requestObject: null }), expected);
        await expectError(
          await t
            .http()
            .post('/push/device/create')
            .send({ ...registration({ token: 'new-token' }) }),
          expected,
        );
      });

      it('requestObject that is not an object', async () => {
        await expectError(
          await create(t, 'token-2'),
          invalid({ fieldName: 'requestObject', invalidValue: 'token-2', hint: 'must be a JSON object' }),
        );
        await expectError(
          await create(t, [registration({ token: 'new-token' })]),
          invalid({ fieldName: 'requestObject', hint: 'must be a JSON object' }),
        );
        await expectError(
          await create(t, 17),
          invalid({ fieldName: 'requestObject', invalidValue: 17, hint: 'must be a JSON object' }),
        );
      });

      it.each(['xxx', 'APNS', 'Fcm', 'iOS', ''])('unknown platform %j', async (platform) => {
        await expectError(
          await create(t, registration({ platform, token: 'new-token' })),
          invalid({ fieldName: 'requestObject.platform', invalidValue: platform, hint: PLATFORM_HINT }),
        );
      });

      it('platform that is not a string', async () => {
        await expectError(
          await create(t, registration({ platform: ['apns'], token: 'new-token' })),
          invalid({ fieldName: 'requestObject.platform', hint: PLATFORM_HINT }),
        );
      });

      it('token as a number', async () => {
        await expectError(
          await create(t, registration({ token: 12345 })),
          invalid({ fieldName: 'requestObject.token', invalidValue: 12345, hint: 'must be a string' }),
        );
      });

      it('activationId as an object', async () => {
        await expectError(
          await create(t, registration({ activationId: { id: act(1) }, token: 'new-token' })),
          invalid({ fieldName: 'requestObject.activationId', hint: 'must be a string' }),
        );
      });

      it('appId and userId that are not strings', async () => {
        await expectError(
          await create(t, registration({ appId: true, token: 'new-token' })),
          invalid({ fieldName: 'requestObject.appId', invalidValue: true, hint: 'must be a string' }),
        );
        await expectError(
          await create(t, registration({ userId: 7, token: 'new-token' })),
          invalid({ fieldName: 'requestObject.userId', invalidValue: 7, hint: 'must be a string' }),
        );
      });

      it('token longer than 255 characters (the echoed value is cut at 200)', async () => {
        await expectError(
          await create(t, registration({ token: 'x'.repeat(256) })),
          invalid({
            fieldName: 'requestObject.token',
            invalidValue: `${'x'.repeat(200)}…`,
            hint: 'size must be between 0 and 255',
          }),
        );
      });

      it('activationId longer than 37 characters', async () => {
        await expectError(
          await create(t, registration({ activationId: 'a'.repeat(38), token: 'new-token' })),
          invalid({
            fieldName: 'requestObject.activationId',
            invalidValue: 'a'.repeat(38),
            hint: 'size must be between 0 and 37',
          }),
        );
      });

      it('unknown environment value', async () => {
        await expectError(
          await create(t, registration({ environment: 'sandbox', token: 'new-token' })),
          invalid({
            fieldName: 'requestObject.environment',
            invalidValue: 'sandbox',
            hint: ENVIRONMENT_HINT,
          }),
        );
        await expectError(
          await create(t, registration({ environment: 'STAGING', token: 'new-token' })),
          invalid({
            fieldName: 'requestObject.environment',
            invalidValue: 'staging',
            hint: ENVIRONMENT_HINT,
          }),
        );
      });

      it('unknown or lower-case activationStatus', async () => {
        for (const activationStatus of ['DELETED', 'active']) {
          await expectError(
            await create(t, registration({ activationStatus, token: 'new-token' })),
            invalid({
              fieldName: 'requestObject.activationStatus',
              invalidValue: activationStatus,
              hint: STATUS_HINT,
            }),
          );
        }
      });

      it('malformed JSON', async () => {
        const response = await t
          .http()
          .post('/push/device/create')
          .set('Content-Type', 'application/json')
          .send('{"requestObject": {"appId": "mobile-app", ');
        await expectError(response, MALFORMED_JSON);
      });
    });
  });

  describe('registration rules (compat notes 1.2, PushServerTests)', () => {
    it('re-registering the same activation and token keeps the row and refreshes its timestamp', async () => {
      await expectOk(await create(t, registration()));
      const [first] = await devices(t);
      await t.sql("UPDATE push_device_registration SET timestamp_last_registered = '2001-02-03 04:05:06'");
      expect(await lastRegisteredYears(t)).toEqual([2001]);

      await expectOk(await create(t, registration()));
      expect(await devices(t)).toEqual([first]);
      const [year] = await lastRegisteredYears(t);
      expect(year).toBeGreaterThanOrEqual(new Date().getFullYear() - 1);
    });

    it('re-registering also updates platform, environment and user of the row', async () => {
      await expectOk(await create(t, registration({ platform: 'ios' })));
      const [first] = await devices(t);
      await expectOk(
        await create(t, registration({ platform: 'apns', environment: 'development', userId: 'user-2' })),
      );
      expect(await devices(t)).toEqual([
        row({
          id: first.id,
          activation: act(1),
          token: 'token-1',
          user: 'user-2',
          environment: 'development',
        }),
      ]);
    });

    it('the same activation with a new token keeps the row and updates the token', async () => {
      await expectOk(await create(t, registration()));
      const [first] = await devices(t);
      await expectOk(await create(t, registration({ token: 'token-2' })));
      expect(await devices(t)).toEqual([{ ...first, push_token: 'token-2' }]);
    });

    it('a different activation with the same token reuses the row (the activation is replaced)', async () => {
      await expectOk(await create(t, registration()));
      const [first] = await devices(t);
      await expectOk(await create(t, registration({ activationId: act(2), userId: 'user-2' })));
      expect(await devices(t)).toEqual([
        row({ id: first.id, activation: act(2), token: 'token-1', user: 'user-2' }),
      ]);
    });

    it('the same token in another app is a separate row', async () => {
      await expectOk(await create(t, registration()));
      await expectOk(await create(t, registration({ appId: OTHER_APP_ID, activationId: act(2) })));
      const rows = await devices(t);
      expect(rows).toEqual([
        row({ activation: act(1), token: 'token-1' }),
        row({ activation: act(2), token: 'token-1', app: otherApp }),
      ]);
      expect(rows[0].id).not.toBe(rows[1].id);
    });

    it('a third activation on a token shared by two rows is refused with the multi hint', async () => {
      await insertDevice(t, app, act(1), 'shared-token');
      await insertDevice(t, app, act(2), 'shared-token');
      const before = await devices(t);
      expect(before).toEqual([
        row({ activation: act(1), token: 'shared-token' }),
        row({ activation: act(2), token: 'shared-token' }),
      ]);

      await expectError(
        await create(t, registration({ activationId: act(3), token: 'shared-token' })),
        generic(MSG.multipleRegistrations),
      );
      expect(await devices(t)).toEqual(before);

      // One of the two activations re-registering is found by (activation, token) and is fine.
      await expectOk(
        await create(t, registration({ activationId: act(2), token: 'shared-token', userId: 'u2' })),
      );
      expect(await devices(t)).toEqual([before[0], { ...before[1], user_id: 'u2' }]);
    });

    it('5 parallel registrations of one activation all succeed and leave one row (retry on the unique index)', async () => {
      // A few rounds, so that the insert race really happens on the server databases (SQLite serializes it).
      const activations = [act(9), act(10), act(11)];
      for (const [round, activationId] of activations.entries()) {
        const responses = await Promise.all(
          [1, 2, 3, 4, 5].map(() => create(t, registration({ activationId, token: `parallel-${round}` }))),
        );
        expect(responses.map((response) => [response.status, response.body])).toEqual(
          Array.from({ length: 5 }, () => [200, OK]),
        );
      }
      expect(await devices(t)).toEqual(
        activations.map((activation, round) => row({ activation, token: `parallel-${round}` })),
      );
    });
  });

  describe('POST /push/device/create/multi while MULTIPLE_ACTIVATIONS_ENABLED is unset', () => {
    it('refuses before any other check, even for an empty requestObject', async () => {
      await expectError(await createMulti(t, {}), generic(MSG.multiDisabled));
      await expectError(
        await createMulti(t, {
          appId: APP_ID,
          activationIds: [act(1), act(2)],
          token: 'token-1',
          platform: 'apns',
          userId: 'u',
        }),
        generic(MSG.multiDisabled),
      );
      expect(await devices(t)).toEqual([]);
    });
  });

  describe.each([
    ['POST', '/push/device/delete'],
    ['DELETE', '/push/device/delete'],
    ['POST', '/push/device/remove'],
    ['DELETE', '/push/device/remove'],
  ])('%s %s', (method, path) => {
    const send = (body: unknown) =>
      method === 'POST'
        ? t
            .http()
            .post(path)
            .send(body as object)
        : t
            .http()
            .delete(path)
            .send(body as object);

    beforeEach(async () => {
      await insertDevice(t, app, act(1), 'token-1');
      await insertDevice(t, app, act(2), 'token-1');
      await insertDevice(t, otherApp, act(3), 'token-1');
      await insertDevice(t, app, act(4), 'token-2');
    });

    it('deletes every row with the (app, token) pair and nothing else', async () => {
      const [, , otherAppRow, otherTokenRow] = await devices(t);
      await expectOk(await send({ requestObject: { appId: APP_ID, token: 'token-1' } }));
      expect(await devices(t)).toEqual([otherAppRow, otherTokenRow]);
      // Deleting again is a no-op.
      await expectOk(await send({ requestObject: { appId: APP_ID, token: 'token-1' } }));
      expect(await devices(t)).toEqual([otherAppRow, otherTokenRow]);
    });

    it('answers OK for an unknown app or token and deletes nothing', async () => {
      const before = await devices(t);
      await expectOk(await send({ requestObject: { appId: 'no-such-app', token: 'token-1' } }));
      await expectOk(await send({ requestObject: { appId: APP_ID, token: 'no-such-token' } }));
      expect(await devices(t)).toEqual(before);
    });

    it('answers the hand-validated messages and deletes nothing', async () => {
      const before = await devices(t);
      await expectError(await send({ requestObject: { appId: APP_ID } }), generic(MSG.token));
      await expectError(await send({ requestObject: { appId: APP_ID, token: null } }), generic(MSG.token));
      await expectError(await send({ requestObject: { appId: APP_ID, token: '' } }), generic(MSG.token));
      await expectError(await send({ requestObject: { token: 'token-1' } }), generic(MSG.appId));
      await expectError(await send({ requestObject: { appId: null, token: 'token-1' } }), generic(MSG.appId));
      await expectError(await send({ requestObject: {} }), generic(MSG.appId));
      await expectError(
        await send({ requestObject: null }),
        invalid({ fieldName: 'requestObject', hint: 'must not be null' }),
      );
      await expectError(
        await send({ requestObject: { appId: APP_ID, token: 5 } }),
        invalid({ fieldName: 'requestObject.token', invalidValue: 5, hint: 'must be a string' }),
      );
      expect(await devices(t)).toEqual(before);
    });
  });

  describe.each(['POST', 'PUT'])('%s /push/device/status/update (bare body)', (method) => {
    const send = (body: unknown) => {
      const path = '/push/device/status/update';
      const request = method === 'POST' ? t.http().post(path) : t.http().put(path);
      return typeof body === 'string'
        ? request.set('Content-Type', 'application/json').send(body)
        : request.send(body as object);
    };
    let before: DeviceRow[];

    beforeEach(async () => {
      await insertDevice(t, app, act(1), 'token-1');
      await insertDevice(t, otherApp, act(2), 'token-2');
      before = await devices(t);
    });

    it('BLOCKED deactivates the rows of the activation, ACTIVE reactivates them, REMOVED deletes nothing', async () => {
      await expectOk(await send({ activationId: act(1), activationStatus: 'BLOCKED' }));
      expect(await devices(t)).toEqual([{ ...before[0], is_active: false }, before[1]]);

      await expectOk(await send({ activationId: act(1), activationStatus: 'ACTIVE' }));
      expect(await devices(t)).toEqual(before);

      await expectOk(await send({ activationId: act(2), activationStatus: 'REMOVED' }));
      expect(await devices(t)).toEqual([before[0], { ...before[1], is_active: false }]);

      await expectOk(await send({ activationId: act(2), activationStatus: 'CREATED' }));
      expect(await devices(t)).toEqual([before[0], { ...before[1], is_active: false }]);
    });

    it('ignores the other fields of the PowerAuth callback', async () => {
      await expectOk(
        await send({
          activationId: act(1),
          userId: 'someone-else',
          activationName: 'My iPhone',
          platform: 'xxx',
          applicationId: 'another-app',
          activationFlags: ['A'],
          blockedReason: 'NOT_SPECIFIED',
          activationStatus: 'BLOCKED',
        }),
      );
      expect(await devices(t)).toEqual([{ ...before[0], is_active: false }, before[1]]);
    });

    it('answers OK when no row matches', async () => {
      await expectOk(await send({ activationId: act(99), activationStatus: 'BLOCKED' }));
      expect(await devices(t)).toEqual(before);
    });

    it('requires the activation ID', async () => {
      await expectError(await send({ activationStatus: 'BLOCKED' }), generic(MSG.activationId));
      await expectError(
        await send({ activationId: null, activationStatus: 'BLOCKED' }),
        generic(MSG.activationId),
      );
      await expectError(
        await send({ activationId: '', activationStatus: 'BLOCKED' }),
        generic(MSG.activationId),
      );
      // An enveloped body is not unwrapped: its requestObject is an unknown field.
      await expectError(
        await send({ requestObject: { activationId: act(1), activationStatus: 'BLOCKED' } }),
        generic(MSG.activationId),
      );
      expect(await devices(t)).toEqual(before);
    });

    it('without activationStatus and without PowerAuth the status is unknown', async () => {
      await expectError(await send({ activationId: act(1) }), generic(MSG.updateStatusUnknown));
      await expectError(
        await send({ activationId: act(1), activationStatus: null }),
        generic(MSG.updateStatusUnknown),
      );
      expect(await devices(t)).toEqual(before);
    });

    it('rejects bad input with 400 ERROR_REQUEST', async () => {
      await expectError(
        await send({ activationId: act(1), activationStatus: 'blocked' }),
        invalid({ fieldName: 'activationStatus', invalidValue: 'blocked', hint: STATUS_HINT }),
      );
      await expectError(
        await send({ activationId: 42, activationStatus: 'BLOCKED' }),
        invalid({ fieldName: 'activationId', invalidValue: 42, hint: 'must be a string' }),
      );
      await expectError(
        await send([{ activationId: act(1) }]),
        invalid({ fieldName: 'body', hint: 'must be a JSON object' }),
      );
      await expectError(await send('{"activationId": '), MALFORMED_JSON);
      expect(await devices(t)).toEqual(before);
    });
  });
});

describe('/push/device/create/multi with MULTIPLE_ACTIVATIONS_ENABLED=true (PushServerMultipleActivationsTests)', () => {
  let t: TestApp;
  let app: number;

  const multi = (overrides: Body = {}): Body => ({
    appId: APP_ID,
    activationIds: [act(1), act(2)],
    token: 'token-1',
    platform: 'fcm',
    userId: 'user-1',
    ...overrides,
  });

  const row = (
    id: number | undefined,
    activation: string,
    token: string,
    extra: Partial<DeviceRow> = {},
  ) => ({
    id: id ?? expect.any(Number),
    activation_id: activation,
    user_id: 'user-1',
    app_id: app,
    platform: 'fcm',
    push_token: token,
    is_active: true,
    environment: null,
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp({ env: { MULTIPLE_ACTIVATIONS_ENABLED: 'true' } });
    app = await createApp(t, APP_ID);
  });
  afterAll(() => t.close());
  beforeEach(() => t.sql('DELETE FROM push_device_registration'));

  it('two activations with one token give two rows', async () => {
    await expectOk(await createMulti(t, multi()));
    expect(await devices(t)).toEqual([row(undefined, act(1), 'token-1'), row(undefined, act(2), 'token-1')]);
  });

  it('de-duplicates repeated activation IDs', async () => {
    await expectOk(await createMulti(t, multi({ activationIds: [act(1), act(1), act(2), act(1)] })));
    expect(await devices(t)).toEqual([row(undefined, act(1), 'token-1'), row(undefined, act(2), 'token-1')]);
  });

  it('re-registering keeps the row IDs', async () => {
    await expectOk(await createMulti(t, multi()));
    const first = await devices(t);
    await expectOk(await createMulti(t, multi()));
    expect(await devices(t)).toEqual(first);
  });

  it('a new token for the same activations keeps the row IDs and updates the token', async () => {
    await expectOk(await createMulti(t, multi()));
    const [a, b] = await devices(t);
    await expectOk(await createMulti(t, multi({ token: 'token-2' })));
    expect(await devices(t)).toEqual([row(a.id, act(1), 'token-2'), row(b.id, act(2), 'token-2')]);
  });

  it('new activations with the same token replace the old rows with new ones', async () => {
    await expectOk(await createMulti(t, multi()));
    const [a, b] = await devices(t);
    await expectOk(await createMulti(t, multi({ activationIds: [act(3), act(4)] })));
    const rows = await devices(t);
    expect(rows).toEqual([row(undefined, act(3), 'token-1'), row(undefined, act(4), 'token-1')]);
    expect(rows.map((r) => r.id)).not.toContain(a.id);
    expect(rows.map((r) => r.id)).not.toContain(b.id);
  });

  it('overlapping activations keep the row of the shared one and replace the other with a new row', async () => {
    await expectOk(await createMulti(t, multi()));
    const [a, b] = await devices(t);
    await expectOk(await createMulti(t, multi({ activationIds: [act(1), act(4)] })));
    const rows = await devices(t);
    expect(rows).toEqual([row(a.id, act(1), 'token-1'), row(undefined, act(4), 'token-1')]);
    expect(rows[1].id).not.toBe(b.id);
  });

  it('stores environment for apns and the status and user of the request', async () => {
    await expectOk(
      await createMulti(
        t,
        multi({ platform: 'apns', environment: 'PRODUCTION', activationStatus: 'BLOCKED', userId: 'user-9' }),
      ),
    );
    const extra = { platform: 'apns', environment: 'production', is_active: false, user_id: 'user-9' };
    expect(await devices(t)).toEqual([
      row(undefined, act(1), 'token-1', extra),
      row(undefined, act(2), 'token-1', extra),
    ]);
  });

  it('after a multi registration, /create of a third activation on the token is refused', async () => {
    await expectOk(await createMulti(t, multi()));
    const before = await devices(t);
    await expectError(
      await create(t, {
        appId: APP_ID,
        activationId: act(3),
        token: 'token-1',
        platform: 'fcm',
        userId: 'user-1',
      }),
      generic(MSG.multipleRegistrations),
    );
    expect(await devices(t)).toEqual(before);
  });

  it.each([
    ['activationIds missing', { activationIds: undefined }, MSG.listNull],
    ['activationIds null', { activationIds: null }, MSG.listNull],
    ['activationIds empty', { activationIds: [] }, MSG.listEmpty],
    ['appId missing', { appId: undefined }, MSG.appId],
    ['appId and activationIds missing', { appId: null, activationIds: null }, MSG.appId],
    ['platform missing', { platform: undefined }, MSG.platform],
    ['token missing', { token: undefined }, MSG.token],
    ['token empty', { token: '' }, MSG.token],
    ['environment on fcm', { environment: 'production' }, MSG.environmentNotSupported],
    [
      'environment on android',
      { platform: 'android', environment: 'development' },
      MSG.environmentNotSupported,
    ],
    ['environment on hms', { platform: 'hms', environment: 'production' }, MSG.environmentNotSupported],
    ['environment on huawei', { platform: 'huawei', environment: 'production' }, MSG.environmentNotSupported],
    [
      'environment checked before token',
      { environment: 'production', token: null },
      MSG.environmentNotSupported,
    ],
    ['unknown app', { appId: 'no-such-app' }, MSG.appNotFound],
    ['activation REMOVED in the request', { activationStatus: 'REMOVED' }, MSG.multiFailed],
    ['no userId and no PowerAuth', { userId: undefined }, MSG.userIdRequired],
  ])('answers 400 ERROR_GENERIC for %s and writes no row', async (_case, overrides, message) => {
    await expectError(await createMulti(t, multi(overrides)), generic(message));
    expect(await devices(t)).toEqual([]);
  });

  it('accepts an environment for the legacy platform name ios, as for apns (the original rejects it)', async () => {
    await expectOk(await createMulti(t, multi({ platform: 'ios', environment: 'Production' })));
    const rows = await devices(t);
    expect(rows.map((r) => [r.platform, r.environment])).toEqual(rows.map(() => ['ios', 'production']));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('rejects bad input with 400 ERROR_REQUEST', async () => {
    await expectError(
      await createMulti(t, multi({ activationIds: act(1) })),
      invalid({
        fieldName: 'requestObject.activationIds',
        invalidValue: act(1),
        hint: 'must be an array of strings',
      }),
    );
    await expectError(
      await createMulti(t, multi({ activationIds: [act(1), 2] })),
      invalid({ fieldName: 'requestObject.activationIds', hint: 'must be an array of strings' }),
    );
    await expectError(
      await createMulti(t, multi({ activationIds: ['a'.repeat(38)] })),
      invalid({ fieldName: 'requestObject.activationIds', hint: 'each item: size must be between 0 and 37' }),
    );
    await expectError(
      await createMulti(t, multi({ platform: 'FCM' })),
      invalid({ fieldName: 'requestObject.platform', invalidValue: 'FCM', hint: PLATFORM_HINT }),
    );
    await expectError(
      await t.http().post('/push/device/create/multi').send({}),
      invalid({ fieldName: 'requestObject', hint: 'must not be null' }),
    );
    expect(await devices(t)).toEqual([]);
  });
});

describe('/push/device with the PowerAuth Server', () => {
  const fake = new FakePowerAuthServer();
  const STATUS_PATH = '/powerauth-java-server/rest/v3/activation/status';
  const AUTHORIZATION = `Basic ${Buffer.from('push-user:push-secret').toString('base64')}`;
  let t: TestApp;
  let app: number;

  const statusCall = (activationId: string) => ({
    path: STATUS_PATH,
    authorization: AUTHORIZATION,
    body: { requestObject: { activationId, includeStatusBlob: false } },
  });

  const registration = (overrides: Body = {}): Body => ({
    appId: APP_ID,
    activationId: act(1),
    token: 'token-1',
    platform: 'apns',
    ...overrides,
  });

  const row = (activation: string, user: string | null, active: boolean, token = 'token-1', id?: number) => ({
    id: id ?? expect.any(Number),
    activation_id: activation,
    user_id: user,
    app_id: app,
    platform: 'apns',
    push_token: token,
    is_active: active,
    environment: null,
  });

  beforeAll(async () => {
    const url = await fake.start();
    t = await startTestApp({
      env: {
        POWERAUTH_SERVICE_URL: url,
        POWERAUTH_SERVICE_USERNAME: 'push-user',
        POWERAUTH_SERVICE_PASSWORD: 'push-secret',
        MULTIPLE_ACTIVATIONS_ENABLED: 'true',
      },
    });
    app = await createApp(t, APP_ID);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });
  beforeEach(async () => {
    await t.sql('DELETE FROM push_device_registration');
    fake.calls.length = 0;
    fake.activations.clear();
    fake.failWith = undefined;
  });

  describe('POST /push/device/create', () => {
    it('takes status and user from PowerAuth: ACTIVE registers an active device', async () => {
      fake.activations.set(act(1), { activationStatus: 'ACTIVE', userId: 'pa-user' });
      await expectOk(await create(t, registration()));
      expect(fake.calls).toEqual([statusCall(act(1))]);
      expect(await devices(t)).toEqual([row(act(1), 'pa-user', true)]);
    });

    it.each(['BLOCKED', 'CREATED', 'PENDING_COMMIT'])(
      'registers an activation %s as inactive',
      async (status) => {
        fake.activations.set(act(1), { activationStatus: status, userId: 'pa-user' });
        await expectOk(await create(t, registration()));
        expect(fake.calls).toEqual([statusCall(act(1))]);
        expect(await devices(t)).toEqual([row(act(1), 'pa-user', false)]);
      },
    );

    it('refuses a REMOVED or unknown activation and writes no row', async () => {
      fake.activations.set(act(1), { activationStatus: 'REMOVED', userId: 'pa-user' });
      await expectError(await create(t, registration()), generic(MSG.notActive));
      await expectError(await create(t, registration({ activationId: act(2) })), generic(MSG.notActive));
      expect(fake.calls).toEqual([statusCall(act(1)), statusCall(act(2))]);
      expect(await devices(t)).toEqual([]);
    });

    it('refuses when PowerAuth fails and leaves the existing row alone', async () => {
      fake.activations.set(act(1), { activationStatus: 'ACTIVE', userId: 'pa-user' });
      await expectOk(await create(t, registration()));
      const before = await devices(t);
      fake.failWith = 500;
      await expectError(await create(t, registration({ token: 'token-2' })), generic(MSG.statusUnknown));
      expect(fake.calls).toEqual([statusCall(act(1)), statusCall(act(1))]);
      expect(await devices(t)).toEqual(before);
    });

    it('asks PowerAuth when the request has only one of activationStatus and userId', async () => {
      fake.activations.set(act(1), { activationStatus: 'BLOCKED', userId: 'pa-user' });
      await expectOk(await create(t, registration({ activationStatus: 'ACTIVE' })));
      expect(await devices(t)).toEqual([row(act(1), 'pa-user', false)]);
      await expectOk(await create(t, registration({ userId: 'request-user' })));
      expect(await devices(t)).toEqual([row(act(1), 'pa-user', false)]);
      expect(fake.calls).toEqual([statusCall(act(1)), statusCall(act(1))]);
    });

    it('does not call PowerAuth when the request carries both activationStatus and userId', async () => {
      fake.activations.set(act(1), { activationStatus: 'REMOVED', userId: 'pa-user' });
      await expectOk(await create(t, registration({ activationStatus: 'ACTIVE', userId: 'request-user' })));
      await expectOk(
        await create(
          t,
          registration({ activationId: act(2), activationStatus: 'BLOCKED', userId: 'user-2', token: 't2' }),
        ),
      );
      expect(fake.calls).toEqual([]);
      expect(await devices(t)).toEqual([
        row(act(1), 'request-user', true),
        row(act(2), 'user-2', false, 't2'),
      ]);
    });
  });

  describe('POST /push/device/create/multi', () => {
    const multi = (overrides: Body = {}): Body => ({
      appId: APP_ID,
      activationIds: [act(1), act(2)],
      token: 'token-1',
      platform: 'apns',
      ...overrides,
    });

    it('takes each activation from PowerAuth', async () => {
      fake.activations.set(act(1), { activationStatus: 'ACTIVE', userId: 'user-a' });
      fake.activations.set(act(2), { activationStatus: 'BLOCKED', userId: 'user-b' });
      await expectOk(await createMulti(t, multi({ activationIds: [act(1), act(2), act(1)] })));
      expect(fake.calls).toEqual([statusCall(act(1)), statusCall(act(2))]);
      expect(await devices(t)).toEqual([row(act(1), 'user-a', true), row(act(2), 'user-b', false)]);
    });

    it('one REMOVED activation fails the request and writes or changes no row', async () => {
      fake.activations.set(act(1), { activationStatus: 'ACTIVE', userId: 'user-a' });
      fake.activations.set(act(2), { activationStatus: 'ACTIVE', userId: 'user-b' });
      await expectOk(await createMulti(t, multi()));
      const before = await devices(t);

      fake.activations.set(act(2), { activationStatus: 'REMOVED', userId: 'user-b' });
      await expectError(await createMulti(t, multi({ token: 'token-2' })), generic(MSG.multiFailed));
      expect(await devices(t)).toEqual(before);

      // A fresh pair where the second is unknown to PowerAuth: nothing is written for the first either.
      fake.activations.set(act(3), { activationStatus: 'ACTIVE', userId: 'user-c' });
      await expectError(
        await createMulti(t, multi({ activationIds: [act(3), act(4)], token: 'token-3' })),
        generic(MSG.multiFailed),
      );
      expect(await devices(t)).toEqual(before);
    });

    it('PowerAuth failing fails the request', async () => {
      fake.failWith = 500;
      await expectError(await createMulti(t, multi()), generic(MSG.multiFailed));
      expect(await devices(t)).toEqual([]);
    });
  });

  describe('POST /push/device/status/update', () => {
    beforeEach(() => insertDevice(t, app, act(1), 'token-1', 'user-a'));

    it('reads the status from PowerAuth when the body has none', async () => {
      const [before] = await devices(t);
      fake.activations.set(act(1), { activationStatus: 'BLOCKED', userId: 'user-a' });
      await expectOk(
        await t
          .http()
          .post('/push/device/status/update')
          .send({ activationId: act(1) }),
      );
      expect(fake.calls).toEqual([statusCall(act(1))]);
      expect(await devices(t)).toEqual([{ ...before, is_active: false }]);

      fake.activations.set(act(1), { activationStatus: 'ACTIVE', userId: 'user-a' });
      await expectOk(
        await t
          .http()
          .put('/push/device/status/update')
          .send({ activationId: act(1) }),
      );
      expect(await devices(t)).toEqual([before]);

      // PowerAuth answers an unknown activation as REMOVED: deactivated, never deleted.
      fake.activations.clear();
      await expectOk(
        await t
          .http()
          .post('/push/device/status/update')
          .send({ activationId: act(1) }),
      );
      expect(await devices(t)).toEqual([{ ...before, is_active: false }]);
      expect(fake.calls).toHaveLength(3);
    });

    it('uses the status of the body without calling PowerAuth', async () => {
      const [before] = await devices(t);
      fake.activations.set(act(1), { activationStatus: 'ACTIVE', userId: 'user-a' });
      await expectOk(
        await t
          .http()
          .post('/push/device/status/update')
          .send({ activationId: act(1), activationStatus: 'BLOCKED' }),
      );
      expect(fake.calls).toEqual([]);
      expect(await devices(t)).toEqual([{ ...before, is_active: false }]);
    });

    it('answers the unknown-status error when PowerAuth fails', async () => {
      const before = await devices(t);
      fake.failWith = 500;
      await expectError(
        await t
          .http()
          .post('/push/device/status/update')
          .send({ activationId: act(1) }),
        generic(MSG.updateStatusUnknown),
      );
      expect(fake.calls).toEqual([statusCall(act(1))]);
      expect(await devices(t)).toEqual(before);
    });
  });
});
