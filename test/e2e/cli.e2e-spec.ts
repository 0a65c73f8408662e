import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli-runner';
import { cliActor } from '../../src/cli/cli-io';
import { CredentialsCipher } from '../../src/common/crypto/credentials-cipher';
import { API_SCOPES } from '../../src/modules/auth/api-scopes';
import { ProviderAppService } from '../../src/modules/message/delivery/provider-app.service';
import { apnsPrivateKeyPem, base64, fcmServiceAccountJson, TEST_API_KEY } from '../support/credentials';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const ROOT = join(__dirname, '..', '..');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line run in this process against `database`, its output captured. */
function cliOn(database: TestDatabase) {
  return async (argv: string[], env: Record<string, string> = {}): Promise<CliRun> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      env: { DATABASE_URL: database.url, LOG_LEVEL: 'error', ...env },
      io: {
        out: (text) => (stdout += `${text}\n`),
        err: (text) => (stderr += `${text}\n`),
        actor: cliActor(),
      },
    });
    return { code, stdout, stderr };
  };
}

const keyIn = (stdout: string) => /API key:\s+(\S+)/.exec(stdout)![1];

function splitKey(key: string): { keyId: string; secret: string } {
  const dot = key.indexOf('.');
  return { keyId: key.slice(0, dot), secret: key.slice(dot + 1) };
}

describe('CLI: API clients', () => {
  let database: TestDatabase;
  let t: TestApp;
  let cli: ReturnType<typeof cliOn>;
  /** Every secret the CLI printed, to prove none shows up where it must not. */
  const secrets: string[] = [];

  async function create(name: string, scopes: string, ...more: string[]): Promise<string> {
    const result = await cli(['client', 'create', '--name', name, '--scopes', scopes, ...more]);
    expect(result).toEqual({ code: 0, stdout: expect.any(String), stderr: '' });
    const key = keyIn(result.stdout);
    secrets.push(splitKey(key).secret);
    return key;
  }

  const adminList = (key: string) =>
    t.anonymous().get('/admin/app/list').set('Authorization', `Bearer ${key}`);
  const clientRow = async (name: string) =>
    (await t.sql('SELECT * FROM push_api_client WHERE name = ?', [name]))[0] as Record<string, unknown>;
  const snapshot = async () => ({
    clients: await t.sql('SELECT * FROM push_api_client ORDER BY id'),
    audit: await t.sql('SELECT * FROM push_audit_log ORDER BY id'),
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    // A TTL of 0: every request reads the client row again, so rotation and revocation bite at once.
    t = await startTestApp({ database, env: { AUTH_CACHE_TTL_MS: '0' } });
    cli = cliOn(database);
  });
  afterAll(() => t.close());

  it('create prints the key once; the row keeps only a scrypt hash; the key works as Bearer and as Basic', async () => {
    const result = await cli(['client', 'create', '--name', 'ops', '--scopes', 'admin']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const key = keyIn(result.stdout);
    const { keyId, secret } = splitKey(key);
    secrets.push(secret);
    expect(keyId).toMatch(/^pk_[0-9a-f]{16}$/);
    expect(result.stdout).toContain(`Created API client "ops" (key id ${keyId})`);
    expect(result.stdout).toContain(`Authorization: Bearer ${key}`);
    expect(result.stdout).toContain(`Authorization: Basic ${base64(`${keyId}:${secret}`)}`);
    expect(result.stdout).toContain('shown only this once');

    const row = await clientRow('ops');
    expect(row.key_id).toBe(keyId);
    expect(row.secret_hash).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.scopes).toBe('admin');
    expect(row.app_ids).toBeNull();
    expect(row.timestamp_revoked).toBeNull();

    expect((await adminList(key)).status).toBe(200);
    expect((await t.anonymous().get('/admin/app/list').auth(keyId, secret)).status).toBe(200);
  });

  it('a client with the push scope only, limited to some apps, is refused the admin routes', async () => {
    const key = await create('sender', 'push', '--apps', 'app-a,app-b, app-a');
    const row = await clientRow('sender');
    expect(row.scopes).toBe('push');
    expect(JSON.parse(row.app_ids as string)).toEqual(['app-a', 'app-b']);
    const response = await adminList(key);
    expect(response.status).toBe(403);
    expect(JSON.stringify(response.body)).toContain('does not have the admin scope');
  });

  it('--scopes all grants every scope; a list is stored in canonical order', async () => {
    await create('everything', 'all');
    expect((await clientRow('everything')).scopes).toBe(API_SCOPES.join(','));
    await create('two', 'push,device');
    expect((await clientRow('two')).scopes).toBe('device,push');
  });

  it('rejects bad input with a clear message and a non-zero exit code, changing nothing', async () => {
    const before = await snapshot();
    const cases: Array<[string[], number, RegExp]> = [
      [
        ['client', 'create', '--name', 'x1', '--scopes', 'push,teleport'],
        1,
        /Invalid scope "teleport": choose from admin,/,
      ],
      [['client', 'create', '--name', 'bad name!', '--scopes', 'push'], 1, /Invalid client name "bad name!"/],
      [['client', 'create', '--name', 'n'.repeat(65), '--scopes', 'push'], 1, /Invalid client name/],
      [
        ['client', 'create', '--name', 'ops', '--scopes', 'push'],
        1,
        /An API client named "ops" already exists/,
      ],
      [['client', 'create', '--name', 'x2', '--scopes', 'push', '--apps', 'a,,b'], 1, /Invalid --apps/],
      [['client', 'create', '--name', 'x3'], 2, /client create: --scopes is required/],
      [['client', 'create', '--name', 'x4', '--scopes', 'push', '--admin'], 2, /Unknown option '--admin'/],
      [['client', 'rotate', 'nobody'], 1, /No API client named "nobody"/],
      [['client', 'revoke', 'nobody'], 1, /No API client named "nobody"/],
      [['client', 'rotate'], 2, /client rotate: missing <name>/],
      [['client', 'frobnicate'], 2, /client: unknown command "frobnicate"/],
      [['teleport'], 2, /Unknown command "teleport"/],
    ];
    for (const [argv, code, message] of cases) {
      const result = await cli(argv);
      expect({ argv, code: result.code, stdout: result.stdout }).toEqual({ argv, code, stdout: '' });
      expect(result.stderr).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('help, --help, --help after a group or a command: the usage', async () => {
    for (const argv of [
      ['help'],
      ['--help'],
      ['client', '--help'],
      ['client', 'create', '--help'],
      ['credentials', '-h'],
    ]) {
      const result = await cli(argv);
      expect({ argv, code: result.code, stderr: result.stderr }).toEqual({ argv, code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Usage: push-server-cli <command> \[options\]/);
    }
  });

  it('rotate: a new secret under the same key id; the old one gets 401, the new one 200', async () => {
    const oldKey = await create('rotating', 'admin');
    expect((await adminList(oldKey)).status).toBe(200);

    const result = await cli(['client', 'rotate', 'rotating']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const newKey = keyIn(result.stdout);
    secrets.push(splitKey(newKey).secret);
    expect(splitKey(newKey).keyId).toBe(splitKey(oldKey).keyId);
    expect(newKey).not.toBe(oldKey);
    expect(result.stdout).toContain('The old secret no longer works');

    expect((await adminList(oldKey)).status).toBe(401);
    expect((await adminList(newKey)).status).toBe(200);
    expect((await clientRow('rotating')).timestamp_rotated).not.toBeNull();
  });

  it('revoke: the key gets 401; revoking again says so; a revoked client cannot be rotated', async () => {
    const key = await create('leaving', 'admin');
    expect((await adminList(key)).status).toBe(200);

    const result = await cli(['client', 'revoke', 'leaving']);
    expect(result).toEqual({
      code: 0,
      stdout: expect.stringContaining('Revoked API client "leaving"'),
      stderr: '',
    });
    expect((await adminList(key)).status).toBe(401);
    const revokedAt = (await clientRow('leaving')).timestamp_revoked;
    expect(revokedAt).not.toBeNull();

    const before = await snapshot();
    const again = await cli(['client', 'revoke', 'leaving']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /API client "leaving" was already revoked \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\); nothing changed/,
    );
    const rotate = await cli(['client', 'rotate', 'leaving']);
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toMatch(
      /API client "leaving" was revoked .* and cannot be rotated; create a new client/,
    );
    expect(await snapshot()).toEqual(before);
    expect((await adminList(key)).status).toBe(401);
  });

  it('list shows every client, without hashes or secrets', async () => {
    const table = await cli(['client', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+KEY ID\s+SCOPES\s+APPS\s+CREATED\s+LAST USED\s+ROTATED\s+REVOKED$/);
    const names = lines.slice(1).map((line) => line.split(/\s+/)[0]);
    expect(names).toEqual(['bootstrap-admin', 'ops', 'sender', 'everything', 'two', 'rotating', 'leaving']);
    expect(lines[1]).toMatch(/^bootstrap-admin\s+test-admin\s+admin,device,push,/);
    expect(lines.find((line) => line.startsWith('sender'))).toMatch(/\spush\s+app-a,app-b\s/);
    expect(lines.find((line) => line.startsWith('leaving'))).toMatch(/\d\dZ$/);

    const json = await cli(['client', 'list', '--json']);
    expect(json.code).toBe(0);
    const clients = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(clients.map((client) => client.name)).toEqual(names);
    expect(clients[2]).toEqual({
      name: 'sender',
      keyId: expect.stringMatching(/^pk_/),
      scopes: ['push'],
      appIds: ['app-a', 'app-b'],
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastUsed: expect.any(String),
      rotated: null,
      revoked: null,
    });
    expect(clients.find((client) => client.name === 'leaving')!.revoked).toEqual(expect.any(String));

    for (const output of [table.stdout, json.stdout]) {
      expect(output).not.toContain('scrypt');
      expect(output).not.toContain('secretHash');
      expect(output).not.toContain(splitKey(TEST_API_KEY).secret);
      for (const secret of secrets) expect(output).not.toContain(secret);
    }
  });

  it('writes an audit row for each change, naming the CLI user, without secrets', async () => {
    const rows = await t.sql<Record<string, unknown>>(
      // The test app's own first start wrote the bootstrap client's row (server:bootstrap, covered by the audit test).
      "SELECT action, client_name, client_key_id, resource, details FROM push_audit_log WHERE action LIKE 'client.%' AND client_name <> 'server:bootstrap' ORDER BY id",
    );
    expect(rows.map((row) => `${row.action} ${row.resource}`)).toEqual([
      'client.created client:ops',
      'client.created client:sender',
      'client.created client:everything',
      'client.created client:two',
      'client.created client:rotating',
      'client.rotated client:rotating',
      'client.created client:leaving',
      'client.revoked client:leaving',
    ]);
    for (const row of rows) {
      expect(row.client_name).toBe(cliActor());
      expect(row.client_key_id).toBeNull();
      for (const secret of secrets) expect(row.details).not.toContain(secret);
    }
    expect(cliActor()).toMatch(/^cli:./);
    expect(JSON.parse(rows[1].details as string)).toEqual({
      keyId: (await clientRow('sender')).key_id,
      scopes: 'push',
      apps: 'app-a,app-b',
    });
    expect(JSON.parse(rows[0].details as string)).toMatchObject({ scopes: 'admin', apps: 'all' });
  });
});

describe('CLI: credentials re-encrypt', () => {
  const KEY_A = randomBytes(32).toString('hex');
  const KEY_B = randomBytes(32).toString('base64');
  const APNS_PEM = apnsPrivateKeyPem();
  const SERVICE_ACCOUNT = fcmServiceAccountJson();
  const HMS_SECRET = `hms-secret-${randomBytes(12).toString('hex')}`;
  // Fits the column in plaintext, but not once sealed: it stays plaintext.
  const LONG_HMS_SECRET = 'h'.repeat(200);
  const PLAINTEXT = {
    apns_private_key: APNS_PEM,
    fcm_private_key: SERVICE_ACCOUNT,
    hms_client_secret: HMS_SECRET,
  };
  const onlyB = new CredentialsCipher({ credentialsEncryptionKey: Buffer.from(KEY_B, 'base64') });

  let database: TestDatabase;
  let cli: ReturnType<typeof cliOn>;

  /** Runs `work` against the app started with `env` on the shared database, then stops the app (keeping the data). */
  async function withApp<T>(env: Record<string, string>, work: (t: TestApp) => Promise<T>): Promise<T> {
    const t = await startTestApp({ database, env });
    try {
      return await work(t);
    } finally {
      await t.app.close();
    }
  }

  async function upload(t: TestApp, appId: string, hmsSecret = HMS_SECRET): Promise<void> {
    const call = async (path: string, requestObject: unknown) => {
      const response = await t.http().post(path).send({ requestObject });
      expect(response.body).toMatchObject({ status: 'OK' });
    };
    await call('/admin/app/create', { appId });
    await call('/admin/app/apns', {
      appId,
      bundle: 'com.wultra.push.test',
      keyId: 'KEYID12345',
      teamId: 'TEAMID1234',
      environment: 'production',
      privateKeyBase64: base64(APNS_PEM),
    });
    await call('/admin/app/fcm', {
      appId,
      projectId: 'test-project',
      privateKeyBase64: base64(SERVICE_ACCOUNT),
    });
    await call('/admin/app/hms', {
      appId,
      projectId: '1234567890',
      clientId: '107654321',
      clientSecret: hmsSecret,
    });
  }

  /** The stored secret columns by app, as text. */
  async function secretColumns(t: TestApp): Promise<Record<string, Record<string, string | null>>> {
    const rows = await t.sql(
      'SELECT app_id, apns_private_key, fcm_private_key, hms_client_secret FROM push_app_credentials ORDER BY id',
    );
    return Object.fromEntries(
      rows.map((row) => [
        String(row.app_id),
        Object.fromEntries(
          ['apns_private_key', 'fcm_private_key', 'hms_client_secret'].map((column) => {
            const value = row[column] as Buffer | string | null;
            return [column, value === null ? null : Buffer.isBuffer(value) ? value.toString('utf8') : value];
          }),
        ),
      ]),
    );
  }

  /** What the sending pipeline gets for an app (decrypted credentials). */
  async function sendingCredentials(t: TestApp, appId: string) {
    const app = await t.app.get(ProviderAppService).byAppId(appId);
    return {
      apns: app?.provider.apns?.privateKeyPem,
      fcm: app?.provider.fcm?.serviceAccount,
      hms: app?.provider.hms?.clientSecret,
    };
  }
  const readable = { apns: APNS_PEM, fcm: JSON.parse(SERVICE_ACCOUNT), hms: HMS_SECRET };

  const reEncryptAudit = (t: TestApp) =>
    t.sql<Record<string, unknown>>(
      "SELECT client_name, resource, details FROM push_audit_log WHERE action = 'credentials.re-encrypted' ORDER BY id",
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    cli = cliOn(database);
    // Written without a key (as the original server does), then under key A.
    await withApp({}, async (t) => {
      await upload(t, 'plain-app');
      await upload(t, 'long-hms', LONG_HMS_SECRET);
    });
    await withApp({ CREDENTIALS_ENCRYPTION_KEY: KEY_A }, (t) => upload(t, 'sealed-a'));
  });
  afterAll(() => database.drop());

  it('after a key change the server still reads values sealed with the previous key; re-encrypt moves them all to the new key', async () => {
    await withApp(
      { CREDENTIALS_ENCRYPTION_KEY: KEY_B, CREDENTIALS_ENCRYPTION_KEY_PREVIOUS: KEY_A },
      async (t) => {
        const before = await secretColumns(t);
        expect(before['plain-app']).toEqual(PLAINTEXT);
        expect(CredentialsCipher.isSealed(before['sealed-a'].apns_private_key)).toBe(true);
        expect(await sendingCredentials(t, 'sealed-a')).toEqual(readable);
        expect(await sendingCredentials(t, 'plain-app')).toEqual(readable);

        const result = await cli(['credentials', 're-encrypt'], {
          CREDENTIALS_ENCRYPTION_KEY: KEY_B,
          CREDENTIALS_ENCRYPTION_KEY_PREVIOUS: KEY_A,
        });
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(
          'Stored provider secrets (APNs keys, FCM service accounts, HMS client secrets): 9 in 3 apps',
        );
        expect(result.stdout).toContain('re-encrypted from the previous key: 3\n');
        expect(result.stdout).toContain('encrypted from plaintext:           5\n');
        expect(result.stdout).toContain('already under the current key:      0\n');
        expect(result.stdout).toContain('left in plaintext (too long):       1\n');
        expect(result.stdout).toContain('Changed 8 values in 3 apps.');
        expect(result.stdout).toContain('remove CREDENTIALS_ENCRYPTION_KEY_PREVIOUS');
        expect(result.stderr).toMatch(
          /^Warning: app long-hms: the HMS client secret is too long to be stored encrypted/,
        );
        for (const output of [result.stdout, result.stderr]) {
          expect(output).not.toContain(HMS_SECRET);
          expect(output).not.toContain('PRIVATE KEY');
        }

        const after = await secretColumns(t);
        for (const appId of ['plain-app', 'sealed-a']) {
          for (const [column, plaintext] of Object.entries(PLAINTEXT)) {
            expect(CredentialsCipher.isSealed(after[appId][column])).toBe(true);
            expect(onlyB.unseal(after[appId][column]!, column)).toEqual({ plaintext, sealedWith: 'current' });
          }
        }
        expect(onlyB.open(after['long-hms'].apns_private_key!, 'apns_private_key')).toBe(APNS_PEM);
        expect(after['long-hms'].hms_client_secret).toBe(LONG_HMS_SECRET);

        // Idempotent: a second run finds nothing to do and writes nothing.
        const again = await cli(['credentials', 're-encrypt'], {
          CREDENTIALS_ENCRYPTION_KEY: KEY_B,
          CREDENTIALS_ENCRYPTION_KEY_PREVIOUS: KEY_A,
        });
        expect(again.code).toBe(0);
        expect(again.stdout).toContain('already under the current key:      8\n');
        expect(again.stdout).toContain('Nothing to change.');
        expect(await secretColumns(t)).toEqual(after);

        const audit = await reEncryptAudit(t);
        expect(audit).toHaveLength(1);
        expect(audit[0].client_name).toBe(cliActor());
        expect(audit[0].resource).toBe('push_app_credentials');
        expect(JSON.parse(audit[0].details as string)).toEqual({
          mode: 'encrypt',
          apps: 3,
          values: 8,
          fromPreviousKey: 3,
          fromPlaintext: 5,
        });
      },
    );
    // The new key alone is enough now.
    await withApp({ CREDENTIALS_ENCRYPTION_KEY: KEY_B }, async (t) => {
      expect(await sendingCredentials(t, 'sealed-a')).toEqual(readable);
      expect(await sendingCredentials(t, 'plain-app')).toEqual(readable);
    });
  });

  it('refuses, changing nothing, without a key to encrypt with or when a value opens with neither key', async () => {
    await withApp({ CREDENTIALS_ENCRYPTION_KEY: KEY_B }, async (app) => {
      const before = await secretColumns(app);
      const auditBefore = await reEncryptAudit(app);

      const noKey = await cli(['credentials', 're-encrypt']);
      expect(noKey).toEqual({
        code: 1,
        stdout: '',
        stderr: expect.stringContaining('CREDENTIALS_ENCRYPTION_KEY is not set'),
      });

      const wrongKey = await cli(['credentials', 're-encrypt'], {
        CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      });
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stderr).toMatch(
        /^App plain-app: apns_private_key cannot be decrypted with CREDENTIALS_ENCRYPTION_KEY\. Nothing was changed\./,
      );

      const decryptWithKey = await cli(['credentials', 're-encrypt', '--decrypt'], {
        CREDENTIALS_ENCRYPTION_KEY: KEY_B,
      });
      expect(decryptWithKey.code).toBe(1);
      expect(decryptWithKey.stderr).toMatch(/--decrypt .* is only for turning encryption off/);

      expect(await secretColumns(app)).toEqual(before);
      expect(await reEncryptAudit(app)).toEqual(auditBefore);

      // All or nothing: plain-app's values would move to a new key, but long-hms (a later row) holds a value sealed
      // with a key nobody configured; the values already re-sealed in the transaction are rolled back.
      const stranger = new CredentialsCipher({ credentialsEncryptionKey: randomBytes(32) });
      await app.sql("UPDATE push_app_credentials SET hms_client_secret = ? WHERE app_id = 'long-hms'", [
        stranger.seal('x', 'hms_client_secret'),
      ]);
      const stuck = await secretColumns(app);
      const halfway = await cli(['credentials', 're-encrypt'], {
        CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        CREDENTIALS_ENCRYPTION_KEY_PREVIOUS: KEY_B,
      });
      expect(halfway.code).toBe(1);
      expect(halfway.stderr).toMatch(
        /^App long-hms: hms_client_secret cannot be decrypted with CREDENTIALS_ENCRYPTION_KEY or CREDENTIALS_ENCRYPTION_KEY_PREVIOUS\./,
      );
      expect(await secretColumns(app)).toEqual(stuck);
      expect(await reEncryptAudit(app)).toEqual(auditBefore);
      await app.sql("UPDATE push_app_credentials SET hms_client_secret = ? WHERE app_id = 'long-hms'", [
        LONG_HMS_SECRET,
      ]);
    });
  });

  it('--decrypt with only the previous key set turns encryption off: every value back in plaintext', async () => {
    const result = await cli(['credentials', 're-encrypt', '--decrypt'], {
      CREDENTIALS_ENCRYPTION_KEY_PREVIOUS: KEY_B,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('decrypted to plaintext:             8\n');
    expect(result.stdout).toContain('already plaintext:                  1\n');
    await withApp({}, async (t) => {
      const columns = await secretColumns(t);
      expect(columns['plain-app']).toEqual(PLAINTEXT);
      expect(columns['sealed-a']).toEqual(PLAINTEXT);
      expect(columns['long-hms']).toEqual({ ...PLAINTEXT, hms_client_secret: LONG_HMS_SECRET });
      expect(await sendingCredentials(t, 'sealed-a')).toEqual(readable);
      const audit = await reEncryptAudit(t);
      expect(JSON.parse(audit[audit.length - 1].details as string)).toEqual({
        mode: 'decrypt',
        apps: 3,
        values: 8,
        decrypted: 8,
      });
    });
  });
});

describe('CLI: the real command line (child process, SQLite file)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'push-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `node src/cli/main.ts <argv>` from an empty folder (no .env), with only DATABASE_URL configured. */
  function run(...argv: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['-r', join(ROOT, 'scripts', 'swc-register.js'), join(ROOT, 'src', 'cli', 'main.ts'), ...argv],
        { cwd: dir, env: { PATH: process.env.PATH, DATABASE_URL: `sqlite:${join(dir, 'push.sqlite')}` } },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  it('parses argv, prints to stdout and stderr and exits 0, 1 or 2', async () => {
    const help = await run();
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: push-server-cli <command> \[options\]/);
    expect(help.stdout).toContain(
      'client create --name <name> --scopes <scope,...|all> [--apps <appId,...>]',
    );

    const created = await run(
      'client',
      'create',
      '--name',
      'from-shell',
      '--scopes',
      'push,device',
      '--apps',
      'mobile',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const key = keyIn(created.stdout);
    expect(key).toMatch(/^pk_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);

    const duplicate = await run('client', 'create', '--name', 'from-shell', '--scopes', 'push');
    expect(duplicate).toEqual({
      code: 1,
      stdout: '',
      stderr: 'An API client named "from-shell" already exists (see: client list)\n',
    });

    const badScope = await run('client', 'create', '--name', 'other', '--scopes', 'pushy');
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toContain('Invalid scope "pushy"');

    const usage = await run('client', 'remove', 'from-shell');
    expect(usage).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'client: unknown command "remove" (create, list, rotate or revoke)\nRun "push-server-cli help" for usage.\n',
    });

    // Only the client created here: the CLI never creates the server's bootstrap admin.
    const list = await run('client', 'list', '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        name: 'from-shell',
        keyId: splitKey(key).keyId,
        scopes: ['device', 'push'],
        appIds: ['mobile'],
      }),
    ]);
    expect(list.stdout).not.toContain(splitKey(key).secret);
  });
});
