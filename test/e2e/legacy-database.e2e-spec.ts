import { legacyRows, legacySchema19, upgradeTo110 } from '../fixtures/powerauth-legacy-schema';
import { apnsPrivateKeyPem, fcmServiceAccountJson } from '../support/credentials';
import { withRawDatabase } from '../support/raw-database';
import { findSchemaDrift } from '../support/schema-drift';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const bool = (value: unknown) => value === true || value === 1 || value === '1';
const text = (value: unknown) => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value));

async function preparePowerAuthDatabase(
  upgradeTo: '1.9' | '1.10',
  keys: { apnsPem: string; fcmJson: string },
) {
  const database = await createTestDatabase();
  await withRawDatabase(database, async (run) => {
    for (const statement of legacySchema19(database.dialect)) await run(statement);
    for (const [statement, parameters] of legacyRows(database.dialect, keys))
      await run(statement, parameters);
    if (upgradeTo === '1.10') for (const statement of upgradeTo110(database.dialect)) await run(statement);
  });
  return database;
}

async function columnNames(database: TestDatabase, table: string): Promise<string[]> {
  return withRawDatabase(database, async (_run, dataSource) => {
    const runner = dataSource.createQueryRunner();
    try {
      return (await runner.getTable(table))!.columns.map((c) => c.name).sort();
    } finally {
      await runner.release();
    }
  });
}

describe('starting on a database a PowerAuth Push Server 1.9 already uses', () => {
  const keys = { apnsPem: apnsPrivateKeyPem(), fcmJson: fcmServiceAccountJson() };
  let t: TestApp;

  beforeAll(async () => {
    const database = await preparePowerAuthDatabase('1.9', keys);
    t = await startTestApp({ database });
  });
  afterAll(() => t.close());

  it('adds the 1.10 columns and copies the ios_* / android_* credentials into apns_* / fcm_*', async () => {
    const [row] = await t.sql(
      `SELECT apns_bundle, apns_key_id, apns_team_id, apns_environment, apns_private_key, fcm_project_id,
        fcm_private_key, ios_bundle, ios_private_key FROM push_app_credentials WHERE id = 5`,
    );
    expect(row.apns_bundle).toBe('com.example.legacy');
    expect(row.apns_key_id).toBe('KEY1234567');
    expect(row.apns_team_id).toBe('TEAM123456');
    expect(row.apns_environment).toBe('production');
    expect(text(row.apns_private_key)).toBe(keys.apnsPem);
    expect(row.fcm_project_id).toBe('legacy-firebase');
    expect(text(row.fcm_private_key)).toBe(keys.fcmJson);
    // The deprecated columns stay for older nodes.
    expect(row.ios_bundle).toBe('com.example.legacy');
    expect(text(row.ios_private_key)).toBe(keys.apnsPem);
  });

  it('serves the existing applications unchanged', async () => {
    expect((await t.http().get('/admin/app/list').expect(200)).body).toEqual({
      status: 'OK',
      responseObject: {
        applicationList: [
          { appId: 'legacy-app', apns: true, fcm: true, hms: true },
          { appId: 'other-app', apns: false, fcm: false, hms: false },
        ],
      },
    });
    const detail = await t
      .http()
      .post('/admin/app/detail')
      .send({ requestObject: { appId: 'legacy-app', includeApns: true, includeFcm: true, includeHms: true } })
      .expect(200);
    expect(detail.body).toEqual({
      status: 'OK',
      responseObject: {
        application: { appId: 'legacy-app', apns: true, fcm: true, hms: true },
        apnsBundle: 'com.example.legacy',
        apnsKeyId: 'KEY1234567',
        apnsTeamId: 'TEAM123456',
        apnsEnvironment: 'production',
        fcmProjectId: 'legacy-firebase',
        hmsProjectId: 'hms-project',
      },
    });
  });

  it('keeps the existing device rows and reuses them on re-registration', async () => {
    const before = await t.sql(
      'SELECT id, activation_id, user_id, app_id, platform, push_token, is_active, environment FROM push_device_registration ORDER BY id',
    );
    expect(
      before.map((r) => [
        Number(r.id),
        r.activation_id,
        r.platform,
        r.push_token,
        bool(r.is_active),
        r.environment,
      ]),
    ).toEqual([
      [10, 'act-ios', 'ios', 'aabbccdd', true, null],
      [11, 'act-android', 'android', 'fcm-token-2', false, null],
    ]);

    await t
      .http()
      .post('/push/device/create')
      .send({
        requestObject: {
          appId: 'legacy-app',
          activationId: 'act-ios',
          token: 'aabbccdd',
          platform: 'apns',
          environment: 'production',
          userId: 'user-1',
          activationStatus: 'ACTIVE',
        },
      })
      .expect(200);
    const [reused] = await t.sql(
      'SELECT id, platform, environment FROM push_device_registration WHERE activation_id = ?',
      ['act-ios'],
    );
    expect([Number(reused.id), reused.platform, reused.environment]).toEqual([10, 'apns', 'production']);
  });

  it('gives new rows ids that do not collide with the ones PowerAuth assigned', async () => {
    await t
      .http()
      .post('/push/device/create')
      .send({
        requestObject: {
          appId: 'legacy-app',
          activationId: 'act-new',
          token: 'new-token',
          platform: 'fcm',
          userId: 'user-3',
        },
      })
      .expect(200);
    const [row] = await t.sql('SELECT id FROM push_device_registration WHERE activation_id = ?', ['act-new']);
    // PostgreSQL draws from the PowerAuth sequence (at 20); elsewhere the id follows the highest existing one.
    expect(Number(row.id)).toBe(t.database.dialect === 'postgres' ? 21 : 12);

    await t
      .http()
      .post('/admin/app/create')
      .send({ requestObject: { appId: 'new-app' } })
      .expect(200);
    const [app] = await t.sql('SELECT id FROM push_app_credentials WHERE app_id = ?', ['new-app']);
    expect(Number(app.id)).toBe(t.database.dialect === 'postgres' ? 21 : 7);
  });

  it('leaves the other PowerAuth rows and the Spring Batch and Liquibase tables alone', async () => {
    expect(await t.sql('SELECT id, status, message_body FROM push_message')).toEqual([
      expect.objectContaining({ message_body: '{"title":"Hi"}' }),
    ]);
    expect((await t.sql('SELECT user_id FROM push_campaign_user')).map((r) => r.user_id)).toEqual(['user-1']);
    expect((await t.sql('SELECT inbox_id FROM push_inbox')).map((r) => r.inbox_id)).toEqual([
      'ae641389-d37a-4425-bd14-41c29484596f',
    ]);
    expect((await t.sql('SELECT JOB_NAME FROM BATCH_JOB_INSTANCE')).map((r) => Object.values(r)[0])).toEqual([
      'SendCampaignJob',
    ]);
    expect(await t.sql('SELECT ID FROM DATABASECHANGELOG')).toHaveLength(1);
  });

  it('ends with a schema the entities map exactly', async () => {
    expect(await findSchemaDrift(t.dataSource)).toEqual([]);
  });
});

describe('starting on a database already at PowerAuth 1.10', () => {
  it("adds only this server's additive columns to the PowerAuth tables and serves their rows", async () => {
    const keys = { apnsPem: apnsPrivateKeyPem(), fcmJson: fcmServiceAccountJson() };
    const database = await preparePowerAuthDatabase('1.10', keys);
    const tables = ['push_app_credentials', 'push_device_registration', 'push_message', 'push_inbox'];
    const before = await Promise.all(tables.map((table) => columnNames(database, table)));
    const t = await startTestApp({ database });
    try {
      const after = await Promise.all(tables.map((table) => columnNames(database, table)));
      const added = after.map((columns, i) => columns.filter((column) => !before[i].includes(column)));
      expect(added).toEqual([
        [],
        [],
        [
          'attempts',
          'campaign_id',
          'content_id',
          'last_error',
          'lease_owner',
          'next_attempt_at',
          'provider_message_id',
          'timestamp_finished',
        ],
        [],
      ]);
      expect(after.map((columns, i) => before[i].every((column) => columns.includes(column)))).toEqual([
        true,
        true,
        true,
        true,
      ]);
      const list = await t.http().get('/admin/app/list').expect(200);
      expect(list.body.responseObject.applicationList[0]).toEqual({
        appId: 'legacy-app',
        apns: true,
        fcm: true,
        hms: true,
      });
      expect(await findSchemaDrift(t.dataSource)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
