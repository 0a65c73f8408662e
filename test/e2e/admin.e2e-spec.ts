import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { CredentialsCipher } from '../../src/common/crypto/credentials-cipher';
import { apnsPrivateKeyPem, base64, fcmServiceAccountJson } from '../support/credentials';
import { FakePowerAuthServer } from '../support/fake-powerauth-server';
import { startTestApp, TestApp } from '../support/test-app';

// ---------------------------------------------------------------------------------------------------------------
// Credentials, generated once per file (RSA generation is the slow part).
// ---------------------------------------------------------------------------------------------------------------

const APNS_PEM = apnsPrivateKeyPem();
const APNS_PEM_2 = apnsPrivateKeyPem();
const SERVICE_ACCOUNT = fcmServiceAccountJson();
const SERVICE_ACCOUNT_FIELDS = JSON.parse(SERVICE_ACCOUNT) as Record<string, unknown>;
const FCM_PRIVATE_KEY = SERVICE_ACCOUNT_FIELDS.private_key as string;
/** Same key, other metadata: enough to tell two uploads apart. */
const SERVICE_ACCOUNT_2 = JSON.stringify({
  ...SERVICE_ACCOUNT_FIELDS,
  project_id: 'second-project',
  client_email: 'push@second-project.iam.gserviceaccount.com',
});
const RSA_PEM = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const P384_PEM = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const HMS_SECRET = `hms-secret-${randomBytes(12).toString('hex')}`;
const HMS_SECRET_2 = `hms-secret-${randomBytes(12).toString('hex')}`;
const ENCRYPTION_KEY_HEX = randomBytes(32).toString('hex');

const APNS_KEY_MESSAGE =
  'APNs private key must be a P-256 (ES256) private key in PEM format, as in the .p8 file from Apple.';
const FCM_JSON_MESSAGE =
  'FCM private key must be a Firebase service-account JSON with client_email, private_key and token_uri.';
const BASE64_MESSAGE = 'Private key is not valid Base64.';

/** The first Base64 line of a PEM: unique to that key. */
const pemLine = (pem: string) => pem.split('\n')[1];

/** Pieces of every secret used here; none may ever appear in a response. */
const SECRET_MARKERS = [
  pemLine(APNS_PEM),
  pemLine(APNS_PEM_2),
  pemLine(FCM_PRIVATE_KEY),
  base64(APNS_PEM).slice(40, 120),
  base64(APNS_PEM_2).slice(40, 120),
  base64(SERVICE_ACCOUNT).slice(400, 480),
  base64(SERVICE_ACCOUNT_2).slice(400, 480),
  HMS_SECRET,
  HMS_SECRET_2,
];

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

type Method = 'get' | 'post' | 'put' | 'delete';

/** One HTTP call; `requestObject` is wrapped in the envelope. Every response is checked for leaked secrets. */
async function api(t: TestApp, method: Method, path: string, requestObject?: unknown): Promise<Response> {
  const request = t.http()[method](path);
  const response = requestObject === undefined ? await request : await request.send({ requestObject });
  expectNoSecrets(response.text);
  return response;
}

function expectNoSecrets(text: string): void {
  for (const marker of SECRET_MARKERS) expect(text).not.toContain(marker);
}

const OK = { status: 'OK' };

const generic = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_GENERIC', message },
});

const notExist = (appId: string) =>
  generic(`Application credentials with entered ID: ${appId} does not exist`);

const invalid = (...violations: Array<{ fieldName: string; invalidValue?: unknown; hint: string }>) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_REQUEST', message: 'Invalid method parameter value', violations },
});

const BINARY_COLUMNS = ['ios_private_key', 'android_private_key', 'apns_private_key', 'fcm_private_key'];
const TIMESTAMP_COLUMNS = ['timestamp_created', 'timestamp_last_updated'];
const COLUMNS = [
  'app_id',
  'ios_key_id',
  'ios_private_key',
  'ios_team_id',
  'ios_bundle',
  'ios_environment',
  'android_private_key',
  'android_project_id',
  'hms_project_id',
  'hms_client_id',
  'hms_client_secret',
  'timestamp_created',
  'timestamp_last_updated',
  'apns_private_key',
  'apns_team_id',
  'apns_key_id',
  'apns_bundle',
  'apns_environment',
  'fcm_private_key',
  'fcm_project_id',
];

/** A `push_app_credentials` row with binary columns as UTF-8 text and timestamps as epoch milliseconds. */
type Row = Record<string, string | number | null>;

/** Every credential column empty: what a freshly created application looks like. */
const EMPTY_ROW: Row = Object.fromEntries(COLUMNS.filter((c) => c !== 'app_id').map((c) => [c, null]));

function toMillis(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') {
    // SQLite: "YYYY-MM-DD HH:MM:SS.SSS" in UTC.
    const iso = value.replace(' ', 'T');
    const millis = Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
    if (Number.isNaN(millis)) throw new Error(`Unparseable timestamp ${value}`);
    return millis;
  }
  throw new Error(`Unexpected timestamp value ${String(value)}`);
}

function normalizeRow(raw: Record<string, unknown>): Row {
  const row: Row = {};
  for (const column of COLUMNS) {
    const value = raw[column];
    if (BINARY_COLUMNS.includes(column)) {
      if (value !== null && !Buffer.isBuffer(value)) {
        throw new Error(`${column} came back as ${typeof value}, not as bytes`);
      }
      row[column] = value === null ? null : value.toString('utf8');
    } else if (TIMESTAMP_COLUMNS.includes(column)) {
      row[column] = toMillis(value);
    } else {
      row[column] = value === null || value === undefined ? null : String(value);
    }
  }
  return row;
}

async function rowOf(t: TestApp, appId: string): Promise<Row | undefined> {
  const rows = await t.sql(`SELECT ${COLUMNS.join(', ')} FROM push_app_credentials WHERE app_id = ?`, [
    appId,
  ]);
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0] ? normalizeRow(rows[0]) : undefined;
}

async function rowCount(t: TestApp): Promise<number> {
  const rows = await t.sql<{ n: unknown }>('SELECT COUNT(*) AS n FROM push_app_credentials');
  return Number(rows[0].n);
}

async function allRows(t: TestApp): Promise<Row[]> {
  const rows = await t.sql(`SELECT ${COLUMNS.join(', ')} FROM push_app_credentials ORDER BY id`);
  return rows.map(normalizeRow);
}

/** Waits long enough that the next write gets a later timestamp on every dialect (SQLite keeps milliseconds). */
const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

/** Asserts that `after.timestamp_last_updated` moved past `before`'s (or was set for the first time). */
function expectTimestampMoved(before: Row | undefined, after: Row | undefined): void {
  expect(after?.timestamp_last_updated).toEqual(expect.any(Number));
  if (before?.timestamp_last_updated !== null && before?.timestamp_last_updated !== undefined) {
    expect(after!.timestamp_last_updated as number).toBeGreaterThan(before.timestamp_last_updated as number);
  }
}

async function createApp(t: TestApp, appId: string): Promise<void> {
  const response = await api(t, 'post', '/admin/app/create', { appId });
  expect(response.body).toEqual({ status: 'OK', responseObject: { appId } });
}

const apnsRequest = (appId: string, overrides: Record<string, unknown> = {}) => ({
  appId,
  bundle: 'com.wultra.push.test',
  keyId: 'KEYID12345',
  teamId: 'TEAMID1234',
  environment: 'production',
  privateKeyBase64: base64(APNS_PEM),
  ...overrides,
});

const fcmRequest = (appId: string, overrides: Record<string, unknown> = {}) => ({
  appId,
  projectId: 'test-project',
  privateKeyBase64: base64(SERVICE_ACCOUNT),
  ...overrides,
});

const hmsRequest = (appId: string, overrides: Record<string, unknown> = {}) => ({
  appId,
  projectId: '1234567890',
  clientId: '107654321',
  clientSecret: HMS_SECRET,
  ...overrides,
});

/** The row after a full APNs upload of `apnsRequest` (plaintext storage). */
const apnsColumns = (pem = APNS_PEM) => ({
  apns_bundle: 'com.wultra.push.test',
  apns_key_id: 'KEYID12345',
  apns_team_id: 'TEAMID1234',
  apns_environment: 'production',
  apns_private_key: pem,
});

/** The secret repeated until it exceeds the 65536-character limit on privateKeyBase64. */
const overLong = (secret: string) => secret.repeat(Math.ceil(65537 / secret.length));

const serviceAccountWithout = (field: string) => {
  const copy = { ...SERVICE_ACCOUNT_FIELDS };
  delete copy[field];
  return JSON.stringify(copy);
};

// ---------------------------------------------------------------------------------------------------------------

describe('Admin: create and list applications', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('GET /admin/app/list answers an empty list on an empty database', async () => {
    const response = await api(t, 'get', '/admin/app/list');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'OK', responseObject: { applicationList: [] } });
  });

  it('GET /admin/app/unconfigured/list answers an empty list when PowerAuth is not configured', async () => {
    const response = await api(t, 'get', '/admin/app/unconfigured/list');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'OK', responseObject: { applicationList: [] } });
  });

  it('POST /admin/app/create creates the application with no credentials', async () => {
    const response = await api(t, 'post', '/admin/app/create', { appId: 'mobile-app' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'OK', responseObject: { appId: 'mobile-app' } });
    expect(await rowOf(t, 'mobile-app')).toEqual({
      ...EMPTY_ROW,
      app_id: 'mobile-app',
      timestamp_created: expect.any(Number),
    });
    const list = await api(t, 'get', '/admin/app/list');
    expect(list.body).toEqual({
      status: 'OK',
      responseObject: { applicationList: [{ appId: 'mobile-app', apns: false, fcm: false, hms: false }] },
    });
  });

  it('POST /admin/app/create accepts an appId of exactly 255 characters', async () => {
    const appId = 'a'.repeat(255);
    const response = await api(t, 'post', '/admin/app/create', { appId });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'OK', responseObject: { appId } });
    expect((await rowOf(t, appId))?.app_id).toBe(appId);
  });

  it('POST /admin/app/create rejects a duplicate and keeps the one row', async () => {
    await createApp(t, 'duplicate-app');
    const before = await rowOf(t, 'duplicate-app');
    const count = await rowCount(t);
    const response = await api(t, 'post', '/admin/app/create', { appId: 'duplicate-app' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(generic('Application already exists'));
    expect(await rowCount(t)).toBe(count);
    expect(await rowOf(t, 'duplicate-app')).toEqual(before);
  });

  const tooLong = 'x'.repeat(300);
  it.each([
    ['appId missing', {}, generic('App ID must not be null.')],
    ['appId null', { appId: null }, generic('App ID must not be null.')],
    ['appId empty', { appId: '' }, generic('App ID must not be empty.')],
    ['appId blank', { appId: '   ' }, generic('App ID must not be empty.')],
    [
      'appId over 255 characters',
      { appId: tooLong },
      invalid({
        fieldName: 'requestObject.appId',
        invalidValue: `${'x'.repeat(200)}…`,
        hint: 'size must be between 0 and 255',
      }),
    ],
    [
      'appId a number',
      { appId: 42 },
      invalid({ fieldName: 'requestObject.appId', invalidValue: 42, hint: 'must be a string' }),
    ],
  ])('POST /admin/app/create rejects %s and writes nothing', async (_case, requestObject, expected) => {
    const before = await allRows(t);
    const response = await api(t, 'post', '/admin/app/create', requestObject);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(expected);
    expect(await allRows(t)).toEqual(before);
    expect(await rowOf(t, tooLong)).toBeUndefined();
  });

  it('POST /admin/app/create without requestObject answers a violation and writes nothing', async () => {
    const count = await rowCount(t);
    const response = await t.http().post('/admin/app/create').send({}).expect(400);
    expect(response.body).toEqual(invalid({ fieldName: 'requestObject', hint: 'must not be null' }));
    expect(await rowCount(t)).toBe(count);
  });

  it('GET /admin/app/list lists every application in creation order', async () => {
    const response = await api(t, 'get', '/admin/app/list');
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        applicationList: [
          { appId: 'mobile-app', apns: false, fcm: false, hms: false },
          { appId: 'a'.repeat(255), apns: false, fcm: false, hms: false },
          { appId: 'duplicate-app', apns: false, fcm: false, hms: false },
        ],
      },
    });
  });
});

describe('Admin: list flags and application detail', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    for (const appId of [
      'none',
      'apns-only',
      'fcm-only',
      'hms-only',
      'all',
      'hms-client-id-only',
      'hms-secret-only',
      'apns-key-by-sql',
      'apns-fields-without-key',
    ]) {
      await createApp(t, appId);
    }
    expect((await api(t, 'post', '/admin/app/apns', apnsRequest('apns-only'))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/fcm', fcmRequest('fcm-only'))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/hms', hmsRequest('hms-only'))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/apns', apnsRequest('all'))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/fcm', fcmRequest('all'))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/hms', hmsRequest('all'))).body).toEqual(OK);
    await t.sql('UPDATE push_app_credentials SET hms_client_id = ?, hms_project_id = ? WHERE app_id = ?', [
      'client',
      'project',
      'hms-client-id-only',
    ]);
    await t.sql('UPDATE push_app_credentials SET hms_client_secret = ? WHERE app_id = ?', [
      'secret',
      'hms-secret-only',
    ]);
    await t.sql('UPDATE push_app_credentials SET apns_private_key = ? WHERE app_id = ?', [
      Buffer.from(APNS_PEM_2, 'utf8'),
      'apns-key-by-sql',
    ]);
    await t.sql(
      'UPDATE push_app_credentials SET apns_bundle = ?, apns_key_id = ?, apns_team_id = ?, fcm_project_id = ? ' +
        'WHERE app_id = ?',
      ['com.example', 'KEY', 'TEAM', 'project', 'apns-fields-without-key'],
    );
  });
  afterAll(() => t.close());

  it('GET /admin/app/list computes apns/fcm from the keys and hms from client ID and secret together', async () => {
    const response = await api(t, 'get', '/admin/app/list');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        applicationList: [
          { appId: 'none', apns: false, fcm: false, hms: false },
          { appId: 'apns-only', apns: true, fcm: false, hms: false },
          { appId: 'fcm-only', apns: false, fcm: true, hms: false },
          { appId: 'hms-only', apns: false, fcm: false, hms: true },
          { appId: 'all', apns: true, fcm: true, hms: true },
          { appId: 'hms-client-id-only', apns: false, fcm: false, hms: false },
          { appId: 'hms-secret-only', apns: false, fcm: false, hms: false },
          { appId: 'apns-key-by-sql', apns: true, fcm: false, hms: false },
          { appId: 'apns-fields-without-key', apns: false, fcm: false, hms: false },
        ],
      },
    });
  });

  const application = { appId: 'all', apns: true, fcm: true, hms: true };
  const apnsDetail = {
    apnsBundle: 'com.wultra.push.test',
    apnsKeyId: 'KEYID12345',
    apnsTeamId: 'TEAMID1234',
    apnsEnvironment: 'production',
  };
  it.each([
    ['no include flags', {}, {}],
    ['all include flags false', { includeApns: false, includeFcm: false, includeHms: false }, {}],
    ['includeApns', { includeApns: true }, apnsDetail],
    ['includeIos (legacy)', { includeIos: true }, apnsDetail],
    ['includeFcm', { includeFcm: true }, { fcmProjectId: 'test-project' }],
    ['includeAndroid (legacy)', { includeAndroid: true }, { fcmProjectId: 'test-project' }],
    ['includeHms', { includeHms: true }, { hmsProjectId: '1234567890' }],
    ['includeHuawei (legacy)', { includeHuawei: true }, { hmsProjectId: '1234567890' }],
    [
      'all includes',
      { includeApns: true, includeFcm: true, includeHms: true },
      { ...apnsDetail, fcmProjectId: 'test-project', hmsProjectId: '1234567890' },
    ],
    [
      'all legacy includes',
      { includeIos: true, includeAndroid: true, includeHuawei: true },
      { ...apnsDetail, fcmProjectId: 'test-project', hmsProjectId: '1234567890' },
    ],
  ])('POST /admin/app/detail with %s', async (_case, includes, extra) => {
    const response = await api(t, 'post', '/admin/app/detail', { appId: 'all', ...includes });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'OK', responseObject: { application, ...extra } });
  });

  it('POST /admin/app/detail of an unconfigured app omits the absent fields', async () => {
    const response = await api(t, 'post', '/admin/app/detail', {
      appId: 'none',
      includeApns: true,
      includeFcm: true,
      includeHms: true,
    });
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: { application: { appId: 'none', apns: false, fcm: false, hms: false } },
    });
  });

  it('POST /admin/app/detail shows fields of a partly configured app and flags from the secrets', async () => {
    const response = await api(t, 'post', '/admin/app/detail', {
      appId: 'apns-fields-without-key',
      includeIos: true,
      includeAndroid: true,
      includeHuawei: true,
    });
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId: 'apns-fields-without-key', apns: false, fcm: false, hms: false },
        apnsBundle: 'com.example',
        apnsKeyId: 'KEY',
        apnsTeamId: 'TEAM',
        fcmProjectId: 'project',
      },
    });
    const hms = await api(t, 'post', '/admin/app/detail', { appId: 'hms-client-id-only', includeHms: true });
    expect(hms.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId: 'hms-client-id-only', apns: false, fcm: false, hms: false },
        hmsProjectId: 'project',
      },
    });
  });

  it('POST /admin/app/detail of an unknown app answers 400', async () => {
    const response = await api(t, 'post', '/admin/app/detail', { appId: 'unknown-app', includeApns: true });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(notExist('unknown-app'));
  });

  it('POST /admin/app/detail without appId answers 400', async () => {
    const response = await api(t, 'post', '/admin/app/detail', { includeApns: true });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(generic('App ID must not be null.'));
  });

  it('POST /admin/app/detail rejects a non-boolean include flag', async () => {
    const response = await api(t, 'post', '/admin/app/detail', { appId: 'all', includeFcm: 'yes' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      invalid({ fieldName: 'requestObject.includeFcm', invalidValue: 'yes', hint: 'must be a boolean' }),
    );
  });
});

describe('Admin: APNs credentials', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('POST /admin/app/apns stores the apns_* columns (plaintext PEM bytes) and no ios_* column', async () => {
    await createApp(t, 'apns-post');
    const response = await api(
      t,
      'post',
      '/admin/app/apns',
      apnsRequest('apns-post', { environment: 'PRODUCTION' }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual(OK);
    expect(await rowOf(t, 'apns-post')).toEqual({
      ...EMPTY_ROW,
      app_id: 'apns-post',
      ...apnsColumns(),
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });
    const detail = await api(t, 'post', '/admin/app/detail', { appId: 'apns-post', includeApns: true });
    expect(detail.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId: 'apns-post', apns: true, fcm: false, hms: false },
        apnsBundle: 'com.wultra.push.test',
        apnsKeyId: 'KEYID12345',
        apnsTeamId: 'TEAMID1234',
        apnsEnvironment: 'production',
      },
    });
  });

  it('PUT /admin/app/apns replaces the credentials, lower-cases the environment and moves the timestamp', async () => {
    await createApp(t, 'apns-put');
    expect((await api(t, 'put', '/admin/app/apns', apnsRequest('apns-put'))).body).toEqual(OK);
    const before = await rowOf(t, 'apns-put');
    await tick();
    const response = await api(
      t,
      'put',
      '/admin/app/apns',
      apnsRequest('apns-put', {
        bundle: 'com.wultra.other',
        keyId: 'KEY2',
        teamId: 'TEAM2',
        environment: 'Development',
        privateKeyBase64: base64(APNS_PEM_2),
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual(OK);
    const after = await rowOf(t, 'apns-put');
    expect(after).toEqual({
      ...EMPTY_ROW,
      app_id: 'apns-put',
      apns_bundle: 'com.wultra.other',
      apns_key_id: 'KEY2',
      apns_team_id: 'TEAM2',
      apns_environment: 'development',
      apns_private_key: APNS_PEM_2,
      timestamp_created: before!.timestamp_created,
      timestamp_last_updated: expect.any(Number),
    });
    expectTimestampMoved(before, after);
  });

  it('POST /admin/app/apns accepts Base64 split over lines, as `base64` prints it', async () => {
    await createApp(t, 'apns-wrapped');
    const wrapped = base64(APNS_PEM).replace(/(.{76})/g, '$1\n');
    expect(wrapped).toContain('\n');
    const response = await api(
      t,
      'post',
      '/admin/app/apns',
      apnsRequest('apns-wrapped', { privateKeyBase64: wrapped }),
    );
    expect(response.body).toEqual(OK);
    expect((await rowOf(t, 'apns-wrapped'))?.apns_private_key).toBe(APNS_PEM);
  });

  it('POST /admin/app/apns with an empty requestObject answers a violation for every field', async () => {
    const response = await api(t, 'post', '/admin/app/apns', {});
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      invalid(
        { fieldName: 'requestObject.appId', hint: 'must not be blank' },
        { fieldName: 'requestObject.bundle', hint: 'must not be blank' },
        { fieldName: 'requestObject.keyId', hint: 'must not be blank' },
        { fieldName: 'requestObject.teamId', hint: 'must not be blank' },
        { fieldName: 'requestObject.environment', hint: 'must not be null' },
        { fieldName: 'requestObject.privateKeyBase64', hint: 'must not be blank' },
      ),
    );
  });

  it('PUT /admin/app/apns with blank fields answers violations; the private key is never echoed', async () => {
    await createApp(t, 'apns-blank');
    const before = await rowOf(t, 'apns-blank');
    const response = await api(t, 'put', '/admin/app/apns', {
      appId: 'apns-blank',
      bundle: ' ',
      keyId: '',
      teamId: '\t',
      environment: 'production',
      privateKeyBase64: '   ',
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      invalid(
        { fieldName: 'requestObject.bundle', invalidValue: ' ', hint: 'must not be blank' },
        { fieldName: 'requestObject.keyId', invalidValue: '', hint: 'must not be blank' },
        { fieldName: 'requestObject.teamId', invalidValue: '\t', hint: 'must not be blank' },
        { fieldName: 'requestObject.privateKeyBase64', hint: 'must not be blank' },
      ),
    );
    expect(await rowOf(t, 'apns-blank')).toEqual(before);
  });

  it.each([
    ['null', null, { fieldName: 'requestObject.environment', hint: 'must not be null' }],
    [
      'not one of the two',
      'staging',
      {
        fieldName: 'requestObject.environment',
        invalidValue: 'staging',
        hint: 'must be one of: development, production',
      },
    ],
  ])('POST /admin/app/apns rejects an environment that is %s', async (_case, environment, violation) => {
    await createApp(t, `apns-env-${String(environment)}`);
    const appId = `apns-env-${String(environment)}`;
    const response = await api(t, 'post', '/admin/app/apns', apnsRequest(appId, { environment }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid(violation));
    expect(await rowOf(t, appId)).toEqual({
      ...EMPTY_ROW,
      app_id: appId,
      timestamp_created: expect.any(Number),
    });
  });

  it.each([
    ['a too-long private key', 'A'.repeat(65540), 'size must be between 0 and 65536'],
    ['a number as private key', 12345, 'must be a string'],
  ])('POST /admin/app/apns rejects %s without echoing it', async (_case, privateKeyBase64, hint) => {
    const response = await api(t, 'post', '/admin/app/apns', apnsRequest('apns-post', { privateKeyBase64 }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid({ fieldName: 'requestObject.privateKeyBase64', hint }));
  });

  describe('private keys that are not an APNs key', () => {
    it.each([
      ['not Base64', 'not base64 at all!', BASE64_MESSAGE],
      ['Base64 of the wrong length', 'QUJD=', BASE64_MESSAGE],
      ['URL-safe Base64', base64(APNS_PEM).replace(/\+/g, '-').replace(/\//g, '_') + '-_', BASE64_MESSAGE],
      ['an RSA key', base64(RSA_PEM), APNS_KEY_MESSAGE],
      ['a P-384 key', base64(P384_PEM), APNS_KEY_MESSAGE],
      ['garbage', base64('this is not a private key'), APNS_KEY_MESSAGE],
      ['a public key', base64(APNS_PEM.replace(/PRIVATE/g, 'PUBLIC')), APNS_KEY_MESSAGE],
    ])(
      '%s: /admin/app/apns and /admin/app/ios/update answer 400 and keep the row',
      async (_c, key, message) => {
        await createApp(t, `apns-bad-${_c}`);
        const appId = `apns-bad-${_c}`;
        expect((await api(t, 'post', '/admin/app/apns', apnsRequest(appId))).body).toEqual(OK);
        const before = await rowOf(t, appId);
        await tick();
        for (const [method, path] of [
          ['post', '/admin/app/apns'],
          ['put', '/admin/app/apns'],
          ['post', '/admin/app/ios/update'],
          ['put', '/admin/app/ios/update'],
        ] as const) {
          const response = await api(t, method, path, apnsRequest(appId, { privateKeyBase64: key }));
          expect(response.status).toBe(400);
          expect(response.body).toEqual(generic(message));
        }
        expect(await rowOf(t, appId)).toEqual(before);
      },
    );
  });

  it('POST /admin/app/ios/update writes the apns_* columns, allows a null environment, and PUT replaces them', async () => {
    await createApp(t, 'ios-update');
    const response = await api(
      t,
      'post',
      '/admin/app/ios/update',
      apnsRequest('ios-update', { environment: null }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual(OK);
    const first = await rowOf(t, 'ios-update');
    expect(first).toEqual({
      ...EMPTY_ROW,
      app_id: 'ios-update',
      ...apnsColumns(),
      apns_environment: null,
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });
    const detail = await api(t, 'post', '/admin/app/detail', { appId: 'ios-update', includeApns: true });
    expect(detail.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId: 'ios-update', apns: true, fcm: false, hms: false },
        apnsBundle: 'com.wultra.push.test',
        apnsKeyId: 'KEYID12345',
        apnsTeamId: 'TEAMID1234',
      },
    });

    await tick();
    const put = await api(
      t,
      'put',
      '/admin/app/ios/update',
      apnsRequest('ios-update', { environment: 'DEVELOPMENT', privateKeyBase64: base64(APNS_PEM_2) }),
    );
    expect(put.status).toBe(200);
    expect(put.body).toEqual(OK);
    const second = await rowOf(t, 'ios-update');
    expect(second).toEqual({
      ...first,
      apns_environment: 'development',
      apns_private_key: APNS_PEM_2,
      timestamp_last_updated: expect.any(Number),
    });
    expectTimestampMoved(first, second);

    await tick();
    const withoutEnvironment = apnsRequest('ios-update');
    delete (withoutEnvironment as Record<string, unknown>).environment;
    expect((await api(t, 'post', '/admin/app/ios/update', withoutEnvironment)).body).toEqual(OK);
    const third = await rowOf(t, 'ios-update');
    expect(third).toEqual({
      ...first,
      apns_environment: null,
      timestamp_last_updated: expect.any(Number),
    });
    expectTimestampMoved(second, third);
  });

  it.each([
    ['appId', 'App ID must not be null.'],
    ['bundle', 'Bundle must not be empty.'],
    ['keyId', 'Key ID must not be empty.'],
    ['teamId', 'Team ID must not be empty.'],
    ['privateKeyBase64', 'Private key must not be empty.'],
  ])('/admin/app/ios/update without %s answers "%s"', async (field, message) => {
    await createApp(t, `ios-missing-${field}`);
    const appId = `ios-missing-${field}`;
    const before = await rowOf(t, appId);
    for (const [method, value] of [
      ['post', undefined],
      ['put', null],
      ['post', ''],
      ['put', '  '],
    ] as const) {
      const requestObject: Record<string, unknown> = apnsRequest(appId);
      if (value === undefined) delete requestObject[field];
      else requestObject[field] = value;
      const response = await api(t, method, '/admin/app/ios/update', requestObject);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(generic(message));
    }
    expect(await rowOf(t, appId)).toEqual(before);
  });

  it('/admin/app/ios/update reports the first missing field in the original order', async () => {
    const response = await api(t, 'post', '/admin/app/ios/update', { appId: 'apns-post', teamId: 'T' });
    expect(response.body).toEqual(generic('Bundle must not be empty.'));
  });

  it('/admin/app/ios/update rejects an environment that is not development or production', async () => {
    await createApp(t, 'ios-bad-env');
    const response = await api(
      t,
      'post',
      '/admin/app/ios/update',
      apnsRequest('ios-bad-env', { environment: 'sandbox' }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      invalid({
        fieldName: 'requestObject.environment',
        invalidValue: 'sandbox',
        hint: 'must be one of: development, production',
      }),
    );
    expect((await rowOf(t, 'ios-bad-env'))?.apns_private_key).toBeNull();
  });

  it.each([
    ['too long', overLong(base64(APNS_PEM)), 'size must be between 0 and 65536'],
    ['a number', 12345, 'must be a string'],
  ])('/admin/app/ios/update never echoes a private key that is %s', async (_case, privateKeyBase64, hint) => {
    for (const method of ['post', 'put'] as const) {
      const response = await api(
        t,
        method,
        '/admin/app/ios/update',
        apnsRequest('apns-post', { privateKeyBase64 }),
      );
      expect(response.status).toBe(400);
      expect(response.body).toEqual(invalid({ fieldName: 'requestObject.privateKeyBase64', hint }));
    }
  });

  it('the apns endpoints leave the legacy ios_* columns alone', async () => {
    await createApp(t, 'legacy-columns');
    const legacyKey = Buffer.from('legacy ios key bytes', 'utf8');
    await t.sql(
      'UPDATE push_app_credentials SET ios_key_id = ?, ios_private_key = ?, ios_team_id = ?, ios_bundle = ?, ' +
        'ios_environment = ? WHERE app_id = ?',
      ['OLDKEY', legacyKey, 'OLDTEAM', 'com.old', 'production', 'legacy-columns'],
    );
    const legacy = {
      ios_key_id: 'OLDKEY',
      ios_private_key: 'legacy ios key bytes',
      ios_team_id: 'OLDTEAM',
      ios_bundle: 'com.old',
      ios_environment: 'production',
    };
    expect((await api(t, 'post', '/admin/app/apns', apnsRequest('legacy-columns'))).body).toEqual(OK);
    expect(await rowOf(t, 'legacy-columns')).toEqual({
      ...EMPTY_ROW,
      app_id: 'legacy-columns',
      ...legacy,
      ...apnsColumns(),
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });
    expect((await api(t, 'delete', '/admin/app/apns?appId=legacy-columns')).body).toEqual(OK);
    expect(await rowOf(t, 'legacy-columns')).toEqual({
      ...EMPTY_ROW,
      app_id: 'legacy-columns',
      ...legacy,
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });
  });

  it.each([
    ['DELETE /admin/app/apns?appId=', 'delete', '/admin/app/apns?appId=', undefined],
    ['POST /admin/app/ios/remove', 'post', '/admin/app/ios/remove', {}],
    ['DELETE /admin/app/ios/remove', 'delete', '/admin/app/ios/remove', {}],
  ] as const)('%s nulls the apns_* columns and moves the timestamp', async (_case, method, path, body) => {
    const appId = `remove-${method}-${path.length}`;
    await createApp(t, appId);
    expect((await api(t, 'post', '/admin/app/fcm', fcmRequest(appId))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/apns', apnsRequest(appId))).body).toEqual(OK);
    const before = await rowOf(t, appId);
    expect(before?.apns_private_key).toBe(APNS_PEM);
    await tick();
    const response =
      body === undefined
        ? await api(t, method, `${path}${encodeURIComponent(appId)}`)
        : await api(t, method, path, { appId });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(OK);
    const after = await rowOf(t, appId);
    expect(after).toEqual({
      ...before,
      apns_bundle: null,
      apns_key_id: null,
      apns_team_id: null,
      apns_environment: null,
      apns_private_key: null,
      timestamp_last_updated: expect.any(Number),
    });
    expectTimestampMoved(before, after);
    const list = await api(t, 'post', '/admin/app/detail', { appId, includeApns: true, includeFcm: true });
    expect(list.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId, apns: false, fcm: true, hms: false },
        fcmProjectId: 'test-project',
      },
    });

    // Removing again still succeeds and moves the timestamp again.
    await tick();
    const again =
      body === undefined
        ? await api(t, method, `${path}${encodeURIComponent(appId)}`)
        : await api(t, method, path, { appId });
    expect(again.body).toEqual(OK);
    expectTimestampMoved(after, await rowOf(t, appId));
  });

  it.each([
    ['missing', '/admin/app/apns', { fieldName: 'appId', hint: 'must not be blank' }],
    ['empty', '/admin/app/apns?appId=', { fieldName: 'appId', invalidValue: '', hint: 'must not be blank' }],
  ])(
    'DELETE /admin/app/apns with the appId query %s answers 400 ERROR_REQUEST',
    async (_case, path, violation) => {
      const before = await allRows(t);
      const response = await api(t, 'delete', path);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(invalid(violation));
      expect(await allRows(t)).toEqual(before);
    },
  );

  it.each(['post', 'delete'] as const)(
    '%s /admin/app/ios/remove without appId answers 400',
    async (method) => {
      const before = await allRows(t);
      for (const requestObject of [{}, { appId: null }, { appId: ' ' }]) {
        const response = await api(t, method, '/admin/app/ios/remove', requestObject);
        expect(response.status).toBe(400);
        expect(response.body).toEqual(generic('App ID must not be null.'));
      }
      expect(await allRows(t)).toEqual(before);
    },
  );
});

describe('Admin: FCM credentials', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('POST /admin/app/fcm stores the service-account JSON as bytes in fcm_* and no android_* column', async () => {
    await createApp(t, 'fcm-post');
    const response = await api(t, 'post', '/admin/app/fcm', fcmRequest('fcm-post'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual(OK);
    expect(await rowOf(t, 'fcm-post')).toEqual({
      ...EMPTY_ROW,
      app_id: 'fcm-post',
      fcm_project_id: 'test-project',
      fcm_private_key: SERVICE_ACCOUNT,
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });
    const detail = await api(t, 'post', '/admin/app/detail', { appId: 'fcm-post', includeFcm: true });
    expect(detail.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId: 'fcm-post', apns: false, fcm: true, hms: false },
        fcmProjectId: 'test-project',
      },
    });
  });

  it('PUT /admin/app/fcm replaces the credentials and moves the timestamp', async () => {
    await createApp(t, 'fcm-put');
    expect((await api(t, 'put', '/admin/app/fcm', fcmRequest('fcm-put'))).body).toEqual(OK);
    const before = await rowOf(t, 'fcm-put');
    await tick();
    const response = await api(
      t,
      'put',
      '/admin/app/fcm',
      fcmRequest('fcm-put', { projectId: 'second-project', privateKeyBase64: base64(SERVICE_ACCOUNT_2) }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual(OK);
    const after = await rowOf(t, 'fcm-put');
    expect(after).toEqual({
      ...before,
      fcm_project_id: 'second-project',
      fcm_private_key: SERVICE_ACCOUNT_2,
      timestamp_last_updated: expect.any(Number),
    });
    expectTimestampMoved(before, after);
  });

  it('POST /admin/app/fcm with an empty requestObject answers a violation for every field', async () => {
    const response = await api(t, 'post', '/admin/app/fcm', {});
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      invalid(
        { fieldName: 'requestObject.appId', hint: 'must not be blank' },
        { fieldName: 'requestObject.projectId', hint: 'must not be blank' },
        { fieldName: 'requestObject.privateKeyBase64', hint: 'must not be blank' },
      ),
    );
  });

  it('PUT /admin/app/fcm with blank fields answers violations without echoing the key', async () => {
    const response = await api(t, 'put', '/admin/app/fcm', {
      appId: ' ',
      projectId: '',
      privateKeyBase64: ' ',
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      invalid(
        { fieldName: 'requestObject.appId', invalidValue: ' ', hint: 'must not be blank' },
        { fieldName: 'requestObject.projectId', invalidValue: '', hint: 'must not be blank' },
        { fieldName: 'requestObject.privateKeyBase64', hint: 'must not be blank' },
      ),
    );
  });

  it('POST /admin/app/fcm never echoes an over-long private key', async () => {
    const response = await api(
      t,
      'post',
      '/admin/app/fcm',
      fcmRequest('fcm-post', { privateKeyBase64: `${base64(SERVICE_ACCOUNT)}${'A'.repeat(65536)}` }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      invalid({ fieldName: 'requestObject.privateKeyBase64', hint: 'size must be between 0 and 65536' }),
    );
  });

  describe('service accounts that are not usable', () => {
    it.each([
      ['not Base64', '%%% not base64 %%%', BASE64_MESSAGE],
      ['not JSON', base64('this is not json'), FCM_JSON_MESSAGE],
      ['JSON null', base64('null'), FCM_JSON_MESSAGE],
      ['a JSON array', base64('[1,2]'), FCM_JSON_MESSAGE],
      ['missing client_email', base64(serviceAccountWithout('client_email')), FCM_JSON_MESSAGE],
      ['missing private_key', base64(serviceAccountWithout('private_key')), FCM_JSON_MESSAGE],
      ['missing token_uri', base64(serviceAccountWithout('token_uri')), FCM_JSON_MESSAGE],
      [
        'blank client_email',
        base64(JSON.stringify({ ...SERVICE_ACCOUNT_FIELDS, client_email: ' ' })),
        FCM_JSON_MESSAGE,
      ],
      [
        'a token_uri that is not http(s)',
        base64(JSON.stringify({ ...SERVICE_ACCOUNT_FIELDS, token_uri: 'ftp://oauth2.googleapis.com/token' })),
        'FCM service-account token_uri must be an http(s) URL.',
      ],
      [
        'a bad private_key',
        base64(JSON.stringify({ ...SERVICE_ACCOUNT_FIELDS, private_key: '-----BEGIN PRIVATE KEY-----\nxx' })),
        'FCM service-account private_key is not a valid PEM private key.',
      ],
      ['an APNs .p8 key instead of JSON', base64(APNS_PEM), FCM_JSON_MESSAGE],
    ])(
      '%s: /admin/app/fcm and /admin/app/android/update answer 400 and keep the row',
      async (_c, key, message) => {
        const appId = `fcm-bad-${_c}`;
        await createApp(t, appId);
        expect((await api(t, 'post', '/admin/app/fcm', fcmRequest(appId))).body).toEqual(OK);
        const before = await rowOf(t, appId);
        await tick();
        for (const [method, path] of [
          ['post', '/admin/app/fcm'],
          ['put', '/admin/app/fcm'],
          ['post', '/admin/app/android/update'],
          ['put', '/admin/app/android/update'],
        ] as const) {
          const response = await api(t, method, path, fcmRequest(appId, { privateKeyBase64: key }));
          expect(response.status).toBe(400);
          expect(response.body).toEqual(generic(message));
        }
        expect(await rowOf(t, appId)).toEqual(before);
      },
    );
  });

  it.each([
    ['too long', overLong(base64(SERVICE_ACCOUNT)), 'size must be between 0 and 65536'],
    ['a number', 12345, 'must be a string'],
  ])(
    '/admin/app/android/update never echoes a private key that is %s',
    async (_case, privateKeyBase64, hint) => {
      for (const method of ['post', 'put'] as const) {
        const response = await api(
          t,
          method,
          '/admin/app/android/update',
          fcmRequest('fcm-post', { privateKeyBase64 }),
        );
        expect(response.status).toBe(400);
        expect(response.body).toEqual(invalid({ fieldName: 'requestObject.privateKeyBase64', hint }));
      }
    },
  );

  it('POST and PUT /admin/app/android/update write the fcm_* columns', async () => {
    await createApp(t, 'android-update');
    const post = await api(t, 'post', '/admin/app/android/update', fcmRequest('android-update'));
    expect(post.status).toBe(200);
    expect(post.body).toEqual(OK);
    const first = await rowOf(t, 'android-update');
    expect(first).toEqual({
      ...EMPTY_ROW,
      app_id: 'android-update',
      fcm_project_id: 'test-project',
      fcm_private_key: SERVICE_ACCOUNT,
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });
    await tick();
    const put = await api(
      t,
      'put',
      '/admin/app/android/update',
      fcmRequest('android-update', { projectId: 'p2', privateKeyBase64: base64(SERVICE_ACCOUNT_2) }),
    );
    expect(put.status).toBe(200);
    expect(put.body).toEqual(OK);
    const second = await rowOf(t, 'android-update');
    expect(second).toEqual({
      ...first,
      fcm_project_id: 'p2',
      fcm_private_key: SERVICE_ACCOUNT_2,
      timestamp_last_updated: expect.any(Number),
    });
    expectTimestampMoved(first, second);
  });

  it.each([
    ['appId', 'App ID must not be null.'],
    ['projectId', 'Project ID must not be empty.'],
    ['privateKeyBase64', 'Private key must not be empty.'],
  ])('/admin/app/android/update without %s answers "%s"', async (field, message) => {
    const appId = `android-missing-${field}`;
    await createApp(t, appId);
    const before = await rowOf(t, appId);
    for (const [method, value] of [
      ['post', undefined],
      ['put', null],
      ['put', ''],
      ['post', ' '],
    ] as const) {
      const requestObject: Record<string, unknown> = fcmRequest(appId);
      if (value === undefined) delete requestObject[field];
      else requestObject[field] = value;
      const response = await api(t, method, '/admin/app/android/update', requestObject);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(generic(message));
    }
    expect(await rowOf(t, appId)).toEqual(before);
  });

  it('the fcm endpoints leave the legacy android_* columns alone', async () => {
    await createApp(t, 'android-columns');
    await t.sql(
      'UPDATE push_app_credentials SET android_private_key = ?, android_project_id = ? WHERE app_id = ?',
      [Buffer.from('{"legacy":true}', 'utf8'), 'legacy-project', 'android-columns'],
    );
    const legacy = { android_private_key: '{"legacy":true}', android_project_id: 'legacy-project' };
    expect((await api(t, 'post', '/admin/app/fcm', fcmRequest('android-columns'))).body).toEqual(OK);
    expect(await rowOf(t, 'android-columns')).toEqual({
      ...EMPTY_ROW,
      app_id: 'android-columns',
      ...legacy,
      fcm_project_id: 'test-project',
      fcm_private_key: SERVICE_ACCOUNT,
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });
    expect((await api(t, 'delete', '/admin/app/fcm?appId=android-columns')).body).toEqual(OK);
    expect(await rowOf(t, 'android-columns')).toEqual({
      ...EMPTY_ROW,
      app_id: 'android-columns',
      ...legacy,
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });
  });

  it.each([
    ['DELETE /admin/app/fcm?appId=', 'delete', '/admin/app/fcm?appId=', undefined],
    ['POST /admin/app/android/remove', 'post', '/admin/app/android/remove', {}],
    ['DELETE /admin/app/android/remove', 'delete', '/admin/app/android/remove', {}],
  ] as const)('%s nulls the fcm_* columns and moves the timestamp', async (_case, method, path, body) => {
    const appId = `remove-${method}-${path.length}`;
    await createApp(t, appId);
    expect((await api(t, 'post', '/admin/app/apns', apnsRequest(appId))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/fcm', fcmRequest(appId))).body).toEqual(OK);
    const before = await rowOf(t, appId);
    expect(before?.fcm_private_key).toBe(SERVICE_ACCOUNT);
    await tick();
    const response =
      body === undefined
        ? await api(t, method, `${path}${encodeURIComponent(appId)}`)
        : await api(t, method, path, { appId });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(OK);
    const after = await rowOf(t, appId);
    expect(after).toEqual({
      ...before,
      fcm_project_id: null,
      fcm_private_key: null,
      timestamp_last_updated: expect.any(Number),
    });
    expectTimestampMoved(before, after);
    const list = await api(t, 'get', '/admin/app/list');
    expect(list.body.responseObject.applicationList).toContainEqual({
      appId,
      apns: true,
      fcm: false,
      hms: false,
    });
  });

  it('DELETE /admin/app/fcm without the appId query answers 400 ERROR_REQUEST', async () => {
    const before = await allRows(t);
    const response = await api(t, 'delete', '/admin/app/fcm');
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid({ fieldName: 'appId', hint: 'must not be blank' }));
    expect(await allRows(t)).toEqual(before);
  });

  it.each(['post', 'delete'] as const)(
    '%s /admin/app/android/remove without appId answers 400',
    async (method) => {
      const before = await allRows(t);
      for (const requestObject of [{}, { appId: '' }]) {
        const response = await api(t, method, '/admin/app/android/remove', requestObject);
        expect(response.status).toBe(400);
        expect(response.body).toEqual(generic('App ID must not be null.'));
      }
      expect(await allRows(t)).toEqual(before);
    },
  );
});

describe('Admin: HMS credentials', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['POST /admin/app/hms', 'post', '/admin/app/hms'],
    ['PUT /admin/app/hms', 'put', '/admin/app/hms'],
    ['POST /admin/app/huawei/update', 'post', '/admin/app/huawei/update'],
    ['PUT /admin/app/huawei/update', 'put', '/admin/app/huawei/update'],
  ] as const)(
    '%s stores the hms_* columns and replaces them on the next call',
    async (_case, method, path) => {
      const appId = `hms-${method}-${path.length}`;
      await createApp(t, appId);
      const response = await api(t, method, path, hmsRequest(appId));
      expect(response.status).toBe(200);
      expect(response.body).toEqual(OK);
      const first = await rowOf(t, appId);
      expect(first).toEqual({
        ...EMPTY_ROW,
        app_id: appId,
        hms_project_id: '1234567890',
        hms_client_id: '107654321',
        hms_client_secret: HMS_SECRET,
        timestamp_created: expect.any(Number),
        timestamp_last_updated: expect.any(Number),
      });
      await tick();
      const again = await api(
        t,
        method,
        path,
        hmsRequest(appId, { projectId: 'p2', clientId: 'c2', clientSecret: HMS_SECRET_2 }),
      );
      expect(again.body).toEqual(OK);
      const second = await rowOf(t, appId);
      expect(second).toEqual({
        ...first,
        hms_project_id: 'p2',
        hms_client_id: 'c2',
        hms_client_secret: HMS_SECRET_2,
        timestamp_last_updated: expect.any(Number),
      });
      expectTimestampMoved(first, second);
      const detail = await api(t, 'post', '/admin/app/detail', { appId, includeHms: true });
      expect(detail.body).toEqual({
        status: 'OK',
        responseObject: { application: { appId, apns: false, fcm: false, hms: true }, hmsProjectId: 'p2' },
      });
    },
  );

  it.each(['/admin/app/hms', '/admin/app/huawei/update'])(
    'POST %s with an empty requestObject answers violations for all four fields',
    async (path) => {
      const response = await api(t, 'post', path, {});
      expect(response.status).toBe(400);
      expect(response.body).toEqual(
        invalid(
          { fieldName: 'requestObject.appId', hint: 'must not be blank' },
          { fieldName: 'requestObject.projectId', hint: 'must not be blank' },
          { fieldName: 'requestObject.clientId', hint: 'must not be blank' },
          { fieldName: 'requestObject.clientSecret', hint: 'must not be blank' },
        ),
      );
    },
  );

  it.each(['/admin/app/hms', '/admin/app/huawei/update'])(
    'PUT %s with blank fields answers violations and never echoes the secret',
    async (path) => {
      await createApp(t, `blank-${path.length}`);
      const before = await allRows(t);
      const response = await api(t, 'put', path, {
        appId: `blank-${path.length}`,
        projectId: ' ',
        clientId: '',
        clientSecret: '  ',
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(
        invalid(
          { fieldName: 'requestObject.projectId', invalidValue: ' ', hint: 'must not be blank' },
          { fieldName: 'requestObject.clientId', invalidValue: '', hint: 'must not be blank' },
          { fieldName: 'requestObject.clientSecret', hint: 'must not be blank' },
        ),
      );
      const tooLong = await api(
        t,
        'post',
        path,
        hmsRequest('any', { clientSecret: `${HMS_SECRET}${'s'.repeat(250)}` }),
      );
      expect(tooLong.status).toBe(400);
      expect(tooLong.body).toEqual(
        invalid({ fieldName: 'requestObject.clientSecret', hint: 'size must be between 0 and 255' }),
      );
      expect(await allRows(t)).toEqual(before);
    },
  );

  it.each([
    ['DELETE /admin/app/hms?appId=', 'delete', '/admin/app/hms?appId=', undefined],
    ['POST /admin/app/huawei/remove', 'post', '/admin/app/huawei/remove', {}],
    ['DELETE /admin/app/huawei/remove', 'delete', '/admin/app/huawei/remove', {}],
  ] as const)('%s nulls the hms_* columns and moves the timestamp', async (_case, method, path, body) => {
    const appId = `remove-${method}-${path.length}`;
    await createApp(t, appId);
    expect((await api(t, 'post', '/admin/app/fcm', fcmRequest(appId))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/hms', hmsRequest(appId))).body).toEqual(OK);
    const before = await rowOf(t, appId);
    expect(before?.hms_client_secret).toBe(HMS_SECRET);
    await tick();
    const response =
      body === undefined
        ? await api(t, method, `${path}${encodeURIComponent(appId)}`)
        : await api(t, method, path, { appId });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(OK);
    const after = await rowOf(t, appId);
    expect(after).toEqual({
      ...before,
      hms_project_id: null,
      hms_client_id: null,
      hms_client_secret: null,
      timestamp_last_updated: expect.any(Number),
    });
    expectTimestampMoved(before, after);
    const detail = await api(t, 'post', '/admin/app/detail', { appId, includeHms: true, includeFcm: true });
    expect(detail.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId, apns: false, fcm: true, hms: false },
        fcmProjectId: 'test-project',
      },
    });
  });

  it('DELETE /admin/app/hms without the appId query answers 400 ERROR_REQUEST', async () => {
    const before = await allRows(t);
    const response = await api(t, 'delete', '/admin/app/hms');
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid({ fieldName: 'appId', hint: 'must not be blank' }));
    expect(await allRows(t)).toEqual(before);
  });

  it.each(['post', 'delete'] as const)(
    '%s /admin/app/huawei/remove validates appId as Bean Validation does',
    async (method) => {
      const before = await allRows(t);
      const empty = await api(t, method, '/admin/app/huawei/remove', {});
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual(invalid({ fieldName: 'requestObject.appId', hint: 'must not be blank' }));
      const blank = await api(t, method, '/admin/app/huawei/remove', { appId: ' ' });
      expect(blank.status).toBe(400);
      expect(blank.body).toEqual(
        invalid({ fieldName: 'requestObject.appId', invalidValue: ' ', hint: 'must not be blank' }),
      );
      expect(await allRows(t)).toEqual(before);
    },
  );
});

describe('Admin: updates and removals of an unknown application', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await createApp(t, 'bystander');
  });
  afterAll(() => t.close());

  const unknown = 'no-such-app';
  it.each([
    ['post', '/admin/app/apns', apnsRequest(unknown)],
    ['put', '/admin/app/apns', apnsRequest(unknown)],
    ['post', '/admin/app/ios/update', apnsRequest(unknown)],
    ['put', '/admin/app/ios/update', apnsRequest(unknown, { environment: null })],
    ['delete', `/admin/app/apns?appId=${unknown}`, undefined],
    ['post', '/admin/app/ios/remove', { appId: unknown }],
    ['delete', '/admin/app/ios/remove', { appId: unknown }],
    ['post', '/admin/app/fcm', fcmRequest(unknown)],
    ['put', '/admin/app/fcm', fcmRequest(unknown)],
    ['post', '/admin/app/android/update', fcmRequest(unknown)],
    ['put', '/admin/app/android/update', fcmRequest(unknown)],
    ['delete', `/admin/app/fcm?appId=${unknown}`, undefined],
    ['post', '/admin/app/android/remove', { appId: unknown }],
    ['delete', '/admin/app/android/remove', { appId: unknown }],
    ['post', '/admin/app/hms', hmsRequest(unknown)],
    ['put', '/admin/app/hms', hmsRequest(unknown)],
    ['post', '/admin/app/huawei/update', hmsRequest(unknown)],
    ['put', '/admin/app/huawei/update', hmsRequest(unknown)],
    ['delete', `/admin/app/hms?appId=${unknown}`, undefined],
    ['post', '/admin/app/huawei/remove', { appId: unknown }],
    ['delete', '/admin/app/huawei/remove', { appId: unknown }],
  ] as const)('%s %s answers 400 and writes nothing', async (method, path, requestObject) => {
    const before = await allRows(t);
    expect(before).toHaveLength(1);
    const response = await api(t, method, path, requestObject);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(notExist(unknown));
    expect(await allRows(t)).toEqual(before);
    expect(before[0].timestamp_last_updated).toBeNull();
  });

  // The original looks the application up before it decodes the key.
  it.each([
    ['post', '/admin/app/apns', apnsRequest(unknown, { privateKeyBase64: 'not base64!' })],
    ['put', '/admin/app/apns', apnsRequest(unknown, { privateKeyBase64: base64(RSA_PEM) })],
    ['post', '/admin/app/ios/update', apnsRequest(unknown, { privateKeyBase64: base64(P384_PEM) })],
    ['post', '/admin/app/fcm', fcmRequest(unknown, { privateKeyBase64: 'not base64!' })],
    ['put', '/admin/app/android/update', fcmRequest(unknown, { privateKeyBase64: base64('{}') })],
  ] as const)(
    '%s %s with bad credentials still answers that the app does not exist',
    async (method, path, body) => {
      const before = await allRows(t);
      const response = await api(t, method, path, body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(notExist(unknown));
      expect(await allRows(t)).toEqual(before);
    },
  );
});

describe('Admin: API_NAMING=legacy', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { API_NAMING: 'legacy' } });
    await createApp(t, 'legacy-all');
    await createApp(t, 'legacy-none');
    expect((await api(t, 'post', '/admin/app/apns', apnsRequest('legacy-all'))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/fcm', fcmRequest('legacy-all'))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/hms', hmsRequest('legacy-all'))).body).toEqual(OK);
  });
  afterAll(() => t.close());

  it('GET /admin/app/list answers the ios/android/huawei keys', async () => {
    const response = await api(t, 'get', '/admin/app/list');
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        applicationList: [
          { appId: 'legacy-all', ios: true, android: true, huawei: true },
          { appId: 'legacy-none', ios: false, android: false, huawei: false },
        ],
      },
    });
  });

  it.each([
    ['legacy include flags', { includeIos: true, includeAndroid: true, includeHuawei: true }],
    ['current include flags', { includeApns: true, includeFcm: true, includeHms: true }],
  ])('POST /admin/app/detail with %s answers the ios*/android*/huawei* fields', async (_case, includes) => {
    const response = await api(t, 'post', '/admin/app/detail', { appId: 'legacy-all', ...includes });
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId: 'legacy-all', ios: true, android: true, huawei: true },
        iosBundle: 'com.wultra.push.test',
        iosKeyId: 'KEYID12345',
        iosTeamId: 'TEAMID1234',
        iosEnvironment: 'production',
        androidProjectId: 'test-project',
        huaweiProjectId: '1234567890',
      },
    });
  });

  it('POST /admin/app/detail without include flags answers only the application', async () => {
    const response = await api(t, 'post', '/admin/app/detail', { appId: 'legacy-none' });
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: { application: { appId: 'legacy-none', ios: false, android: false, huawei: false } },
    });
  });

  it('the stored columns are the same apns_*/fcm_*/hms_* as with the current naming', async () => {
    expect(await rowOf(t, 'legacy-all')).toEqual({
      ...EMPTY_ROW,
      app_id: 'legacy-all',
      ...apnsColumns(),
      fcm_project_id: 'test-project',
      fcm_private_key: SERVICE_ACCOUNT,
      hms_project_id: '1234567890',
      hms_client_id: '107654321',
      hms_client_secret: HMS_SECRET,
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });
  });
});

describe('Admin: CREDENTIALS_ENCRYPTION_KEY', () => {
  let t: TestApp;
  const cipher = new CredentialsCipher({ credentialsEncryptionKey: Buffer.from(ENCRYPTION_KEY_HEX, 'hex') });

  beforeAll(async () => {
    t = await startTestApp({ env: { CREDENTIALS_ENCRYPTION_KEY: ENCRYPTION_KEY_HEX } });
  });
  afterAll(() => t.close());

  it('stores the APNs key, the service account and the HMS secret encrypted', async () => {
    await createApp(t, 'sealed');
    expect((await api(t, 'post', '/admin/app/apns', apnsRequest('sealed'))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/fcm', fcmRequest('sealed'))).body).toEqual(OK);
    expect((await api(t, 'post', '/admin/app/hms', hmsRequest('sealed'))).body).toEqual(OK);
    const row = (await rowOf(t, 'sealed'))!;
    const apnsKey = row.apns_private_key as string;
    const fcmKey = row.fcm_private_key as string;
    const hmsSecret = row.hms_client_secret as string;
    expect(apnsKey.startsWith('enc:v1:')).toBe(true);
    expect(fcmKey.startsWith('enc:v1:')).toBe(true);
    expect(hmsSecret.startsWith('enc:v1:')).toBe(true);
    expect(apnsKey).not.toContain(pemLine(APNS_PEM));
    expect(apnsKey).not.toContain('PRIVATE KEY');
    expect(fcmKey).not.toContain(pemLine(FCM_PRIVATE_KEY));
    expect(fcmKey).not.toContain('client_email');
    expect(hmsSecret).not.toContain(HMS_SECRET);
    // Bound to its column, and decrypts to exactly what was uploaded.
    expect(cipher.open(apnsKey, 'apns_private_key')).toBe(APNS_PEM);
    expect(cipher.open(fcmKey, 'fcm_private_key')).toBe(SERVICE_ACCOUNT);
    expect(cipher.open(hmsSecret, 'hms_client_secret')).toBe(HMS_SECRET);
    expect(() => cipher.open(apnsKey, 'fcm_private_key')).toThrow();
    // The other columns stay readable.
    expect(row).toEqual({
      ...EMPTY_ROW,
      ...apnsColumns(apnsKey),
      app_id: 'sealed',
      fcm_project_id: 'test-project',
      fcm_private_key: fcmKey,
      hms_project_id: '1234567890',
      hms_client_id: '107654321',
      hms_client_secret: hmsSecret,
      timestamp_created: expect.any(Number),
      timestamp_last_updated: expect.any(Number),
    });

    const list = await api(t, 'get', '/admin/app/list');
    expect(list.body).toEqual({
      status: 'OK',
      responseObject: { applicationList: [{ appId: 'sealed', apns: true, fcm: true, hms: true }] },
    });
  });

  it('encrypts the same value differently each time (random IV)', async () => {
    await createApp(t, 'sealed-twice');
    expect((await api(t, 'post', '/admin/app/hms', hmsRequest('sealed-twice'))).body).toEqual(OK);
    const first = (await rowOf(t, 'sealed-twice'))!.hms_client_secret;
    expect((await api(t, 'put', '/admin/app/hms', hmsRequest('sealed-twice'))).body).toEqual(OK);
    const second = (await rowOf(t, 'sealed-twice'))!.hms_client_secret;
    expect(second).not.toEqual(first);
    expect(cipher.open(second as string, 'hms_client_secret')).toBe(HMS_SECRET);
  });

  it('rejects an HMS secret too long to fit the column once encrypted, and writes nothing', async () => {
    await createApp(t, 'sealed-long');
    const before = await rowOf(t, 'sealed-long');
    const response = await api(
      t,
      'post',
      '/admin/app/hms',
      hmsRequest('sealed-long', { clientSecret: 'x'.repeat(200) }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      generic('HMS client secret is too long to be stored encrypted (at most 150 characters).'),
    );
    expect(await rowOf(t, 'sealed-long')).toEqual(before);
    const unknownApp = await api(
      t,
      'post',
      '/admin/app/hms',
      hmsRequest('no-such-app', { clientSecret: 'x'.repeat(200) }),
    );
    expect(unknownApp.body).toEqual(notExist('no-such-app'));
    const fits = await api(
      t,
      'post',
      '/admin/app/hms',
      hmsRequest('sealed-long', { clientSecret: 'x'.repeat(150) }),
    );
    expect(fits.body).toEqual(OK);
    const stored = (await rowOf(t, 'sealed-long'))!.hms_client_secret as string;
    expect(stored.length).toBeLessThanOrEqual(255);
    expect(cipher.open(stored, 'hms_client_secret')).toBe('x'.repeat(150));
  });

  it('still shows a plaintext row written by the original server as configured', async () => {
    await t.sql(
      'INSERT INTO push_app_credentials (app_id, apns_private_key, apns_bundle, apns_key_id, apns_team_id, ' +
        'apns_environment, fcm_private_key, fcm_project_id, hms_project_id, hms_client_id, hms_client_secret) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        'plaintext',
        Buffer.from(APNS_PEM, 'utf8'),
        'com.plain',
        'PLAINKEY',
        'PLAINTEAM',
        'development',
        Buffer.from(SERVICE_ACCOUNT, 'utf8'),
        'plain-project',
        'hms-plain',
        'hms-client',
        HMS_SECRET,
      ],
    );
    const list = await api(t, 'get', '/admin/app/list');
    expect(list.body.responseObject.applicationList).toContainEqual({
      appId: 'plaintext',
      apns: true,
      fcm: true,
      hms: true,
    });
    const detail = await api(t, 'post', '/admin/app/detail', {
      appId: 'plaintext',
      includeApns: true,
      includeFcm: true,
      includeHms: true,
    });
    expect(detail.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId: 'plaintext', apns: true, fcm: true, hms: true },
        apnsBundle: 'com.plain',
        apnsKeyId: 'PLAINKEY',
        apnsTeamId: 'PLAINTEAM',
        apnsEnvironment: 'development',
        fcmProjectId: 'plain-project',
        hmsProjectId: 'hms-plain',
      },
    });
    // Removing one provider leaves the other plaintext values untouched.
    expect((await api(t, 'delete', '/admin/app/hms?appId=plaintext')).body).toEqual(OK);
    const row = await rowOf(t, 'plaintext');
    expect(row?.apns_private_key).toBe(APNS_PEM);
    expect(row?.fcm_private_key).toBe(SERVICE_ACCOUNT);
    expect(row?.hms_client_secret).toBeNull();
  });
});

describe('Admin: GET /admin/app/unconfigured/list with PowerAuth', () => {
  let t: TestApp;
  const powerAuth = new FakePowerAuthServer();

  beforeAll(async () => {
    const url = await powerAuth.start();
    t = await startTestApp({
      env: {
        POWERAUTH_SERVICE_URL: url,
        POWERAUTH_SERVICE_USERNAME: 'push-admin',
        POWERAUTH_SERVICE_PASSWORD: 's3cret:pass',
      },
    });
    await createApp(t, 'configured');
    await createApp(t, 'push-only');
    expect((await api(t, 'post', '/admin/app/apns', apnsRequest('configured'))).body).toEqual(OK);
  });
  afterAll(async () => {
    await t.close();
    await powerAuth.stop();
  });

  beforeEach(() => {
    powerAuth.calls.length = 0;
    powerAuth.failWith = undefined;
  });

  it('answers the PowerAuth applications without a push row, as bare {appId} objects', async () => {
    powerAuth.applications = ['pa-first', 'configured', 'pa-second', 'push-only-not', 'pa-third'];
    const response = await api(t, 'get', '/admin/app/unconfigured/list');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        applicationList: [
          { appId: 'pa-first' },
          { appId: 'pa-second' },
          { appId: 'push-only-not' },
          { appId: 'pa-third' },
        ],
      },
    });
    expect(powerAuth.calls).toEqual([
      {
        path: '/powerauth-java-server/rest/v3/application/list',
        authorization: `Basic ${Buffer.from('push-admin:s3cret:pass').toString('base64')}`,
        body: { requestObject: {} },
      },
    ]);
  });

  it('answers an empty list when every PowerAuth application is configured', async () => {
    powerAuth.applications = ['push-only', 'configured'];
    const response = await api(t, 'get', '/admin/app/unconfigured/list');
    expect(response.body).toEqual({ status: 'OK', responseObject: { applicationList: [] } });
    expect(powerAuth.calls).toHaveLength(1);
  });

  it('answers 400 ERROR_GENERIC when PowerAuth fails', async () => {
    powerAuth.applications = ['pa-first'];
    powerAuth.failWith = 500;
    const response = await api(t, 'get', '/admin/app/unconfigured/list');
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      generic('Unconfigured application list failed because application name could not be retrieved'),
    );
    expect(powerAuth.calls).toHaveLength(1);
    expect(powerAuth.calls[0].path).toBe('/powerauth-java-server/rest/v3/application/list');
  });
});
