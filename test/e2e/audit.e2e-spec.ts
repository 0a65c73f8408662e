import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskToken } from '../../src/common/logging/mask';
import { AuditEntry, AuditService } from '../../src/modules/audit/audit.service';
import { ApiAccess } from '../../src/modules/auth/api-access';
import { ApiClientRepository } from '../../src/modules/auth/api-client.repository';
import { hashSecret } from '../../src/modules/auth/api-key';
import { API_SCOPES, ApiScope } from '../../src/modules/auth/api-scopes';
import { appCredentialsId, insertCampaign, insertDevices } from '../support/campaign-fixture';
import { apnsPrivateKeyPem, base64, fcmServiceAccountJson, TEST_API_KEY } from '../support/credentials';
import { eventually, hexToken } from '../support/delivery-fixture';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The audit log (`push_audit_log`) end to end: each audited action writes exactly its row, with the caller's name,
 * key id and address and never a secret; rejected requests write none; `GET /admin/audit/list` pages and filters
 * the rows, and a client restricted to some apps sees only theirs.
 */

type Body = Record<string, unknown>;

// Generated once per file (RSA generation is the slow part).
const APNS_PEM = apnsPrivateKeyPem();
const SERVICE_ACCOUNT = fcmServiceAccountJson();
const FCM_PRIVATE_KEY = (JSON.parse(SERVICE_ACCOUNT) as { private_key: string }).private_key;
const HMS_SECRET = `hms-secret-${randomBytes(12).toString('hex')}`;
const RESTRICTED_SECRET = randomBytes(24).toString('base64url');
const DEVICE_ONLY_SECRET = randomBytes(24).toString('base64url');
const CAMPAIGN_SECRET = randomBytes(24).toString('base64url');

/** The first Base64 line of a PEM: unique to that key. */
const pemLine = (pem: string) => pem.split('\n')[1];

/** Pieces of every secret the tests send; no audit row may hold any of them. */
const SECRET_MARKERS = [
  pemLine(APNS_PEM),
  pemLine(FCM_PRIVATE_KEY),
  base64(APNS_PEM).slice(40, 120),
  base64(SERVICE_ACCOUNT).slice(400, 480),
  HMS_SECRET,
  TEST_API_KEY.split('.')[1],
  RESTRICTED_SECRET,
  DEVICE_ONLY_SECRET,
  CAMPAIGN_SECRET,
];

const APNS = { bundle: 'com.example.audit', keyId: 'KEY1234567', teamId: 'TEAM123456' };
const ALL_SCOPES = API_SCOPES.join(',');

const invalid = (...violations: Body[]) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_REQUEST', message: 'Invalid method parameter value', violations },
});

const forbidden = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_FORBIDDEN', message },
});

/** An audit row as asserted: every column but id and timestamp, details parsed. */
interface AuditRow {
  action: string;
  client_name: string | null;
  client_key_id: string | null;
  address: string | null;
  app_id: string | null;
  resource: string | null;
  details: Body | null;
}

function expectNoSecrets(text: string): void {
  for (const marker of SECRET_MARKERS) expect(text).not.toContain(marker);
}

/** Every audit row, oldest first, each checked for secrets; then the table is emptied for the next test. */
async function takeRows(t: TestApp): Promise<AuditRow[]> {
  const raw = await t.sql<Record<string, unknown>>(
    'SELECT action, client_name, client_key_id, address, app_id, resource, details FROM push_audit_log ' +
      'ORDER BY timestamp_created, id',
  );
  await t.sql('DELETE FROM push_audit_log');
  for (const row of raw) expectNoSecrets(JSON.stringify(row));
  return raw.map((row) => ({
    action: row.action as string,
    client_name: row.client_name as string | null,
    client_key_id: row.client_key_id as string | null,
    address: row.address as string | null,
    app_id: row.app_id as string | null,
    resource: row.resource as string | null,
    details: row.details === null ? null : (JSON.parse(row.details as string) as Body),
  }));
}

async function addClient(
  t: TestApp,
  name: string,
  keyId: string,
  secret: string,
  scopes: ApiScope[],
  appIds?: string[],
): Promise<string> {
  await t.app
    .get(ApiClientRepository)
    .insert({ name, keyId, secretHash: await hashSecret(secret), scopes, appIds });
  return `Bearer ${keyId}.${secret}`;
}

describe('audit log', () => {
  let t: TestApp;
  /** The address the server sees for the test's requests (IPv4 or IPv4-mapped IPv6 loopback). */
  let address: string;
  let restricted: string;
  let deviceOnly: string;

  /** A row written by the bootstrap admin client from the test's address. */
  const byAdmin = (row: Partial<AuditRow> & { action: string }): AuditRow => ({
    client_name: 'bootstrap-admin',
    client_key_id: 'test-admin',
    address,
    app_id: null,
    resource: null,
    details: null,
    ...row,
  });

  const send = (method: 'post' | 'put' | 'delete', path: string, requestObject: unknown, auth?: string) => {
    const request = t.http()[method](path);
    if (auth) request.set('Authorization', auth);
    return request.send({ requestObject });
  };

  const apnsRequest = (appId: string, environment?: string) => ({
    appId,
    ...APNS,
    ...(environment && { environment }),
    privateKeyBase64: base64(APNS_PEM),
  });
  const fcmRequest = (appId: string) => ({
    appId,
    projectId: 'audit-project',
    privateKeyBase64: base64(SERVICE_ACCOUNT),
  });
  const hmsRequest = (appId: string) => ({
    appId,
    projectId: 'hms-project',
    clientId: 'hms-client-id',
    clientSecret: HMS_SECRET,
  });

  beforeAll(async () => {
    t = await startTestApp();
    restricted = await addClient(
      t,
      'restricted',
      'restricted-key',
      RESTRICTED_SECRET,
      ['admin', 'device'],
      ['app-a'],
    );
    deviceOnly = await addClient(t, 'device-only', 'device-key', DEVICE_ONLY_SECRET, ['device']);
  });
  afterAll(() => t?.close());

  it('the first start records the bootstrap client, by the server itself, without its secret', async () => {
    expect(await takeRows(t)).toEqual([
      {
        action: 'client.created',
        client_name: 'server:bootstrap',
        client_key_id: null,
        address: null,
        app_id: null,
        resource: 'client:bootstrap-admin',
        details: { keyId: 'test-admin', scopes: ALL_SCOPES, apps: 'all' },
      },
    ]);
  });

  it('app.created: one row with the caller and its address', async () => {
    await send('post', '/admin/app/create', { appId: 'app-a' }).expect(200);
    const rows = await takeRows(t);
    expect(rows).toHaveLength(1);
    address = rows[0].address!;
    expect(address).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(rows).toEqual([byAdmin({ action: 'app.created', app_id: 'app-a' })]);

    await send('post', '/admin/app/create', { appId: 'app-b' }).expect(200);
    await send('post', '/admin/app/create', { appId: 'app-c' }, restricted).expect(403);
    await send('post', '/admin/app/create', { appId: 'app-a' }).expect(400);
    expect(await takeRows(t)).toEqual([byAdmin({ action: 'app.created', app_id: 'app-b' })]);
  });

  describe('app.credentials.updated: the platform and the non-secret fields, on every path', () => {
    it.each([
      ['put', '/admin/app/apns', 'production'],
      ['post', '/admin/app/apns', 'development'],
      ['put', '/admin/app/ios/update', undefined],
      ['post', '/admin/app/ios/update', 'production'],
    ] as const)('%s %s', async (method, path, environment) => {
      await send(method, path, apnsRequest('app-a', environment)).expect(200);
      expect(await takeRows(t)).toEqual([
        byAdmin({
          action: 'app.credentials.updated',
          app_id: 'app-a',
          details: { platform: 'apns', ...APNS, environment: environment ?? null },
        }),
      ]);
    });

    it.each([
      ['put', '/admin/app/fcm'],
      ['post', '/admin/app/fcm'],
      ['put', '/admin/app/android/update'],
      ['post', '/admin/app/android/update'],
    ] as const)('%s %s', async (method, path) => {
      await send(method, path, fcmRequest('app-a')).expect(200);
      expect(await takeRows(t)).toEqual([
        byAdmin({
          action: 'app.credentials.updated',
          app_id: 'app-a',
          details: { platform: 'fcm', projectId: 'audit-project' },
        }),
      ]);
    });

    it.each([
      ['put', '/admin/app/hms'],
      ['post', '/admin/app/hms'],
      ['put', '/admin/app/huawei/update'],
      ['post', '/admin/app/huawei/update'],
    ] as const)('%s %s', async (method, path) => {
      await send(method, path, hmsRequest('app-a')).expect(200);
      expect(await takeRows(t)).toEqual([
        byAdmin({
          action: 'app.credentials.updated',
          app_id: 'app-a',
          details: { platform: 'hms', projectId: 'hms-project', clientId: 'hms-client-id' },
        }),
      ]);
    });

    it('records the restricted client that changed its own app', async () => {
      await send('put', '/admin/app/fcm', fcmRequest('app-a'), restricted).expect(200);
      expect(await takeRows(t)).toEqual([
        {
          action: 'app.credentials.updated',
          client_name: 'restricted',
          client_key_id: 'restricted-key',
          address,
          app_id: 'app-a',
          resource: null,
          details: { platform: 'fcm', projectId: 'audit-project' },
        },
      ]);
    });

    it('a rejected change writes no row', async () => {
      // Bad key, unknown app, blank field, another client's app, no admin scope, secret too long, no credentials.
      await send('put', '/admin/app/apns', {
        ...apnsRequest('app-a'),
        privateKeyBase64: base64('nope'),
      }).expect(400);
      await send('put', '/admin/app/apns', apnsRequest('unknown-app')).expect(400);
      await send('put', '/admin/app/fcm', { ...fcmRequest('app-a'), projectId: ' ' }).expect(400);
      await send('put', '/admin/app/hms', hmsRequest('app-b'), restricted).expect(403);
      await send('put', '/admin/app/hms', hmsRequest('app-a'), deviceOnly).expect(403);
      await send('put', '/admin/app/hms', { ...hmsRequest('app-a'), clientSecret: 'x'.repeat(256) }).expect(
        400,
      );
      await t
        .anonymous()
        .put('/admin/app/hms')
        .send({ requestObject: hmsRequest('app-a') })
        .expect(401);
      expect(await takeRows(t)).toEqual([]);
    });
  });

  describe('app.credentials.removed: the platform, on every path', () => {
    it.each([
      ['delete', '/admin/app/apns?appId=app-a', undefined, 'apns'],
      ['post', '/admin/app/ios/remove', { appId: 'app-a' }, 'apns'],
      ['delete', '/admin/app/ios/remove', { appId: 'app-a' }, 'apns'],
      ['delete', '/admin/app/fcm?appId=app-a', undefined, 'fcm'],
      ['post', '/admin/app/android/remove', { appId: 'app-a' }, 'fcm'],
      ['delete', '/admin/app/android/remove', { appId: 'app-a' }, 'fcm'],
      ['delete', '/admin/app/hms?appId=app-a', undefined, 'hms'],
      ['post', '/admin/app/huawei/remove', { appId: 'app-a' }, 'hms'],
      ['delete', '/admin/app/huawei/remove', { appId: 'app-a' }, 'hms'],
    ] as const)('%s %s', async (method, path, requestObject, platform) => {
      const request = t.http()[method](path);
      await (requestObject ? request.send({ requestObject }) : request).expect(200);
      expect(await takeRows(t)).toEqual([
        byAdmin({ action: 'app.credentials.removed', app_id: 'app-a', details: { platform } }),
      ]);
    });

    it('a rejected removal writes no row', async () => {
      await t.http().delete('/admin/app/apns?appId=unknown-app').expect(400);
      await t.http().delete('/admin/app/apns').expect(400);
      await t.http().delete('/admin/app/fcm?appId=app-b').set('Authorization', restricted).expect(403);
      expect(await takeRows(t)).toEqual([]);
    });
  });

  describe('device.deleted', () => {
    const token = hexToken('audit', 1);

    beforeEach(async () => {
      const app = await appCredentialsId(t.dataSource, 'app-a');
      await insertDevices(t.dataSource, [
        { appCredentialsId: app, userId: 'user-1', platform: 'apns', token, activationId: 'act-audit-1' },
        { appCredentialsId: app, userId: 'user-2', platform: 'apns', token, activationId: 'act-audit-2' },
      ]);
    });
    afterEach(() => t.sql('DELETE FROM push_device_registration'));

    it.each([
      ['post', '/push/device/delete'],
      ['delete', '/push/device/delete'],
      ['post', '/push/device/remove'],
      ['delete', '/push/device/remove'],
    ] as const)('%s %s: the masked token and how many rows went', async (method, path) => {
      await send(method, path, { appId: 'app-a', token }).expect(200);
      expect(await takeRows(t)).toEqual([
        byAdmin({
          action: 'device.deleted',
          app_id: 'app-a',
          resource: `device:${maskToken(token)}`,
          details: { rows: 2 },
        }),
      ]);
    });

    it('the whole token is in no row', async () => {
      await send('post', '/push/device/delete', { appId: 'app-a', token }, restricted).expect(200);
      const rows = await takeRows(t);
      expect(rows.map((row) => [row.client_name, row.resource])).toEqual([
        ['restricted', `device:${maskToken(token)}`],
      ]);
      expect(JSON.stringify(rows)).not.toContain(token.slice(0, 20));
    });

    it('a delete that finds nothing, or is rejected, writes no row', async () => {
      await send('post', '/push/device/delete', { appId: 'app-a', token: 'no-such-token' }).expect(200);
      await send('post', '/push/device/delete', { appId: 'unknown-app', token }).expect(200);
      await send('post', '/push/device/delete', { appId: 'app-a', token: ' ' }).expect(400);
      await send('post', '/push/device/delete', { appId: 'app-b', token }, restricted).expect(403);
      expect(await takeRows(t)).toEqual([]);
    });
  });

  describe('campaign.sent', () => {
    const progress = (id: number) => t.http().get(`/push/campaign/${id}/progress`);
    const completed = (id: number) =>
      eventually(async () => expect((await progress(id)).body.responseObject.state).toBe('COMPLETED'));

    it('one row when the live send is queued; a resumed FAILED run says so; refusals write none', async () => {
      const app = await appCredentialsId(t.dataSource, 'app-a');
      const id = await insertCampaign(t.dataSource, app, { title: 'Hi', body: 'There' }, ['user-1']);
      await t.http().post(`/push/campaign/send/live/${id}`).expect(200);
      await completed(id);
      const sent = byAdmin({
        action: 'campaign.sent',
        app_id: 'app-a',
        resource: `campaign:${id}`,
        details: { resumed: false },
      });
      expect(await takeRows(t)).toEqual([sent]);

      // Already sent, unknown campaign, another client's app: refused, no row.
      await t.http().post(`/push/campaign/send/live/${id}`).expect(400);
      await t.http().post('/push/campaign/send/live/999999').expect(400);
      const other = await insertCampaign(t.dataSource, await appCredentialsId(t.dataSource, 'app-b'), {}, []);
      const campaignClient = await addClient(
        t,
        'campaigns',
        'campaign-key',
        CAMPAIGN_SECRET,
        ['campaign'],
        ['app-a'],
      );
      await t
        .http()
        .post(`/push/campaign/send/live/${other}`)
        .set('Authorization', campaignClient)
        .expect(403);
      expect(await takeRows(t)).toEqual([]);

      // A run that FAILED is sent again from where it stopped.
      await t.sql("UPDATE push_campaign_run SET state = 'FAILED', lease_owner = NULL WHERE campaign_id = ?", [
        id,
      ]);
      await t.sql('UPDATE push_campaign SET is_sent = ? WHERE id = ?', [
        t.database.dialect === 'sqlite' ? 0 : false,
        id,
      ]);
      await t.http().post(`/push/campaign/send/live/${id}`).expect(200);
      await completed(id);
      expect(await takeRows(t)).toEqual([{ ...sent, details: { resumed: true } }]);
    });
  });

  it('no audit row ever holds secret material', async () => {
    // Every credential platform once more, then the raw table.
    await send('put', '/admin/app/apns', apnsRequest('app-a', 'production')).expect(200);
    await send('put', '/admin/app/fcm', fcmRequest('app-a')).expect(200);
    await send('put', '/admin/app/hms', hmsRequest('app-a')).expect(200);
    const raw = await t.sql('SELECT * FROM push_audit_log');
    expect(raw).toHaveLength(3);
    expectNoSecrets(JSON.stringify(raw));
    await takeRows(t);
  });

  it('the retention statement of docs/audit-log.md deletes exactly the rows older than a year', async () => {
    const audit = t.app.get(AuditService);
    const day = 24 * 3600 * 1000;
    await audit.record({ action: 'app.created', appId: 'old' }, new Date(Date.now() - 366 * day));
    await audit.record({ action: 'app.created', appId: 'kept' }, new Date(Date.now() - 364 * day));
    const docs = readFileSync(join(__dirname, '../../docs/audit-log.md'), 'utf8');
    const heading = { sqlite: '-- SQLite', mysql: '-- MySQL', postgres: '-- PostgreSQL' }[t.database.dialect];
    const statement = docs
      .split('\n')
      .slice(docs.split('\n').findIndex((line) => line.startsWith(heading)) + 1)
      .find((line) => line.startsWith('DELETE'))!;
    await t.sql(statement.replace(/;$/, ''));
    expect((await takeRows(t)).map((row) => row.app_id)).toEqual(['kept']);
  });

  describe('GET /admin/audit/list', () => {
    const list = (query = '', auth?: string) => {
      const request = t.http().get(`/admin/audit/list${query}`);
      return auth ? request.set('Authorization', auth) : request;
    };

    const caller = (name: string, keyId: string) =>
      new ApiAccess({ clientId: 1, name, keyId, scopes: new Set<ApiScope>(['admin']) }, '192.0.2.10');

    /** Five rows a minute apart, the oldest first, and the entries the endpoint answers for them. */
    const ENTRIES: Array<[string, AuditEntry]> = [
      [
        '2025-03-01T10:00:00.000Z',
        { action: 'client.created', cliActor: 'cli:ops', resource: 'client:reporting' },
      ],
      [
        '2025-03-01T10:01:00.000Z',
        { action: 'app.created', access: caller('admin-1', 'key-1'), appId: 'app-a' },
      ],
      [
        '2025-03-01T10:02:00.000Z',
        {
          action: 'app.credentials.updated',
          access: caller('admin-1', 'key-1'),
          appId: 'app-b',
          details: { platform: 'fcm', projectId: 'p' },
        },
      ],
      [
        '2025-03-01T10:03:00.000Z',
        {
          action: 'device.deleted',
          access: caller('admin-2', 'key-2'),
          appId: 'app-a',
          resource: 'device:…abcdef',
          details: { rows: 1 },
        },
      ],
      [
        '2025-03-02T00:00:00.000Z',
        {
          action: 'campaign.sent',
          access: caller('admin-2', 'key-2'),
          appId: 'app-a',
          resource: 'campaign:7',
          details: { resumed: false },
        },
      ],
    ];
    let ids: number[];

    /** What the endpoint answers for ENTRIES[i]. */
    const item = (i: number): Body => {
      const [at, entry] = ENTRIES[i];
      const out: Body = {
        id: ids[i],
        timestamp: at.replace('Z', '+00:00'),
        action: entry.action,
        clientName: entry.access?.caller?.name ?? entry.cliActor,
        clientKeyId: entry.access?.caller?.keyId,
        address: entry.access?.address,
        appId: entry.appId,
        resource: entry.resource,
        details: entry.details,
      };
      return Object.fromEntries(Object.entries(out).filter(([, value]) => value !== undefined));
    };
    const page = (indexes: number[], number = 0, size = 20) => ({
      status: 'OK',
      responseObject: indexes.map(item),
      page: number,
      size,
    });

    beforeAll(async () => {
      await t.sql('DELETE FROM push_audit_log');
      const audit = t.app.get(AuditService);
      for (const [at, entry] of ENTRIES) await audit.record(entry, new Date(at));
      const rows = await t.sql<{ id: number | string }>(
        'SELECT id FROM push_audit_log ORDER BY timestamp_created',
      );
      ids = rows.map((row) => Number(row.id));
    });

    it('answers every entry, newest first, in the standard paged envelope', async () => {
      const response = await list().expect(200);
      expect(response.body).toEqual(page([4, 3, 2, 1, 0]));
      expect(response.body.responseObject[0]).toEqual({
        id: ids[4],
        timestamp: '2025-03-02T00:00:00.000+00:00',
        action: 'campaign.sent',
        clientName: 'admin-2',
        clientKeyId: 'key-2',
        address: '192.0.2.10',
        appId: 'app-a',
        resource: 'campaign:7',
        details: { resumed: false },
      });
    });

    it('pages: size edges and past the end', async () => {
      expect((await list('?size=2').expect(200)).body).toEqual(page([4, 3], 0, 2));
      expect((await list('?page=1&size=2').expect(200)).body).toEqual(page([2, 1], 1, 2));
      expect((await list('?page=2&size=2').expect(200)).body).toEqual(page([0], 2, 2));
      expect((await list('?page=3&size=2').expect(200)).body).toEqual(page([], 3, 2));
      expect((await list('?page=4&size=1').expect(200)).body).toEqual(page([0], 4, 1));
      expect((await list('?size=1000').expect(200)).body).toEqual(page([4, 3, 2, 1, 0], 0, 1000));
      expect((await list('?page=&size=').expect(200)).body).toEqual(page([4, 3, 2, 1, 0]));
    });

    it('filters by action, app and time (from inclusive, to exclusive), combined', async () => {
      expect((await list('?action=device.deleted').expect(200)).body).toEqual(page([3]));
      expect((await list('?appId=app-a').expect(200)).body).toEqual(page([4, 3, 1]));
      expect((await list('?appId=app-a&size=1&page=1').expect(200)).body).toEqual(page([3], 1, 1));
      expect((await list('?appId=no-such-app').expect(200)).body).toEqual(page([]));
      expect((await list('?from=2025-03-01T10:01:00Z').expect(200)).body).toEqual(page([4, 3, 2, 1]));
      expect((await list('?to=2025-03-01T10:01:00Z').expect(200)).body).toEqual(page([0]));
      expect((await list('?from=2025-03-01T10:01:00Z&to=2025-03-01T10:03:00.000Z').expect(200)).body).toEqual(
        page([2, 1]),
      );
      // A date alone is midnight UTC; an offset is honoured (11:02+01:00 is 10:02Z).
      expect((await list('?from=2025-03-02').expect(200)).body).toEqual(page([4]));
      expect((await list('?to=2025-03-01T11:02:00%2B01:00').expect(200)).body).toEqual(page([1, 0]));
      expect(
        (await list('?action=app.created&appId=app-a&from=2025-03-01&to=2025-03-02').expect(200)).body,
      ).toEqual(page([1]));
      expect((await list('?action=&appId=').expect(200)).body).toEqual(page([4, 3, 2, 1, 0]));
    });

    const DATE_HINT =
      'must be an ISO 8601 date or date-time with a time zone, e.g. 2025-01-31 or 2025-01-31T12:00:00Z';
    const ACTION_HINT =
      'must be one of: app.created, app.credentials.updated, app.credentials.removed, campaign.sent, ' +
      'device.deleted, client.created, client.rotated, client.revoked, credentials.re-encrypted';
    const BAD_QUERIES: Array<[string, Body]> = [
      ['size=1001', { fieldName: 'size', invalidValue: '1001', hint: 'must be less than or equal to 1000' }],
      ['size=0', { fieldName: 'size', invalidValue: '0', hint: 'must be greater than or equal to 1' }],
      ['page=-1', { fieldName: 'page', invalidValue: '-1', hint: 'must be greater than or equal to 0' }],
      ['page=x', { fieldName: 'page', invalidValue: 'x', hint: 'must be a whole number' }],
      ['action=app.deleted', { fieldName: 'action', invalidValue: 'app.deleted', hint: ACTION_HINT }],
      ['action=App.Created', { fieldName: 'action', invalidValue: 'App.Created', hint: ACTION_HINT }],
      [
        `appId=${'a'.repeat(256)}`,
        { fieldName: 'appId', invalidValue: `${'a'.repeat(200)}…`, hint: 'size must be between 0 and 255' },
      ],
      ...['yesterday', '2025-02-30', '2025-03-01T10:00:00', '2025-03-01T24:00:00Z', '1969-12-31'].map(
        (value): [string, Body] => [
          `from=${value}`,
          { fieldName: 'from', invalidValue: value, hint: DATE_HINT },
        ],
      ),
      ['to=1741000000000', { fieldName: 'to', invalidValue: '1741000000000', hint: DATE_HINT }],
      [
        'from=2025-03-02&to=2025-03-02',
        { fieldName: 'to', invalidValue: '2025-03-02', hint: 'must be after from' },
      ],
    ];

    it.each(BAD_QUERIES.map(([query, violation]) => [query.slice(0, 40), query, violation] as const))(
      'answers 400 ERROR_REQUEST for %s',
      async (_, query, violation) => {
        expect((await list(`?${query}`).expect(400)).body).toEqual(invalid(violation));
      },
    );

    it('a client restricted to some apps sees only their entries (none of no app)', async () => {
      expect((await list('', restricted).expect(200)).body).toEqual(page([4, 3, 1]));
      expect((await list('?appId=app-a&size=1', restricted).expect(200)).body).toEqual(page([4], 0, 1));
      expect((await list('?appId=app-b', restricted).expect(403)).body).toEqual(
        forbidden('API client is not allowed to act on app app-b'),
      );
    });

    it('answers 401 without credentials and 403 without the admin scope', async () => {
      const anonymous = await t.anonymous().get('/admin/audit/list').expect(401);
      expect(anonymous.body.responseObject.code).toBe('ERROR_UNAUTHORIZED');
      expect((await list('', deviceOnly).expect(403)).body).toEqual(
        forbidden('API client device-only does not have the admin scope'),
      );
    });

    it('is in the OpenAPI document with its query parameters', async () => {
      const spec = (await t.http().get('/v3/api-docs').expect(200)).body;
      const operation = spec.paths['/admin/audit/list'].get;
      expect(operation.tags).toEqual(['Administration']);
      expect(operation.parameters.map((parameter: Body) => [parameter.name, parameter.in])).toEqual(
        ['page', 'size', 'action', 'appId', 'from', 'to'].map((name) => [name, 'query']),
      );
    });

    it('answers details it cannot parse as their text, and reading writes no row', async () => {
      await t.sql('UPDATE push_audit_log SET details = ? WHERE id = ?', ['{"cut', ids[0]]);
      expect((await list('?size=1&page=4').expect(200)).body.responseObject).toEqual([
        { ...item(0), details: '{"cut' },
      ]);
      const [{ count }] = await t.sql<{ count: unknown }>('SELECT COUNT(*) AS count FROM push_audit_log');
      expect(Number(count)).toBe(5);
    });
  });
});

describe('audit log without API keys (AUTH_MODE=none) behind a trusted proxy', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_MODE: 'none', TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => t?.close());

  it('records no client and the forwarded address; there is no bootstrap client', async () => {
    await t
      .anonymous()
      .post('/admin/app/create')
      .set('X-Forwarded-For', '203.0.113.7')
      .send({ requestObject: { appId: 'app-a' } })
      .expect(200);
    expect(await takeRows(t)).toEqual([
      {
        action: 'app.created',
        client_name: null,
        client_key_id: null,
        address: '203.0.113.7',
        app_id: 'app-a',
        resource: null,
        details: null,
      },
    ]);
  });
});
