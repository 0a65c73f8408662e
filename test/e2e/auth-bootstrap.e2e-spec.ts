import request from 'supertest';
import { authorizationsOf } from '../support/api-clients';
import { withRawDatabase } from '../support/raw-database';
import { ServerProcess } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * The server as a real process on its first start: the bootstrap admin client (generated key printed once to
 * standard output, or BOOTSTRAP_API_KEY), later starts, AUTH_MODE=none and the refusal to run it on a public
 * address.
 */

const BANNER = 'First start: created the API client "bootstrap-admin" with every scope.';
const CONFIGURED_KEY = 'ops-admin.Zm9vYmFyYmF6cXV4LXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm';
const NONE_WARNING = 'AUTH_MODE=none: every route is open without credentials';

interface ClientRow {
  name: string;
  key_id: string;
  scopes: string;
  secret_hash: string;
}

describe('first start and AUTH_MODE', () => {
  const databases: TestDatabase[] = [];
  const servers: ServerProcess[] = [];

  afterAll(async () => {
    for (const server of servers) server.kill('SIGKILL');
    for (const database of databases) await database.drop();
  });

  async function freshDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase();
    databases.push(database);
    return database;
  }

  async function start(env: Record<string, string>, options: { host?: string } = {}): Promise<ServerProcess> {
    const server = await ServerProcess.start(env, options);
    servers.push(server);
    return server;
  }

  async function stop(server: ServerProcess): Promise<void> {
    server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }

  const clientRows = (database: TestDatabase) =>
    withRawDatabase(
      database,
      (run) =>
        run('SELECT name, key_id, scopes, secret_hash FROM push_api_client ORDER BY id') as Promise<
          ClientRow[]
        >,
    );

  const occurrences = (text: string, part: string) => text.split(part).length - 1;

  it('creates an admin client with a generated key shown once on stdout, and never again', async () => {
    const database = await freshDatabase();
    const env = { DATABASE_URL: database.url, BOOTSTRAP_API_KEY: '' };
    const first = await start(env);
    const match = /API key: (\S+)/.exec(first.stdoutText);
    expect(match).not.toBeNull();
    const apiKey = match![1];
    const [keyId, secret] = [apiKey.slice(0, apiKey.indexOf('.')), apiKey.slice(apiKey.indexOf('.') + 1)];
    expect(keyId).toMatch(/^pk_[0-9a-f]{16}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(occurrences(first.stdoutText, BANNER)).toBe(1);
    expect(occurrences(first.stdoutText + first.stderrText, apiKey)).toBe(1);
    expect(occurrences(first.stdoutText + first.stderrText, secret)).toBe(1);

    const { bearer, basic } = authorizationsOf(keyId, secret);
    for (const authorization of [bearer, basic]) {
      const response = await request(first.url)
        .get('/admin/app/list')
        .set('Authorization', authorization)
        .expect(200);
      expect(response.body).toEqual({ status: 'OK', responseObject: { applicationList: [] } });
    }
    await request(first.url).get('/admin/app/list').expect(401);
    await stop(first);

    const rows = await clientRows(database);
    expect(rows).toEqual([
      {
        name: 'bootstrap-admin',
        key_id: keyId,
        scopes: 'admin,device,push,campaign,inbox,status-callback,metrics',
        secret_hash: expect.stringMatching(/^scrypt\$/),
      },
    ]);
    expect(rows[0].secret_hash).not.toContain(secret);

    // A restart on the same database: the client exists, nothing is printed, the key still works.
    const second = await start(env);
    expect(second.stdoutText).not.toContain(BANNER);
    expect(second.stdoutText + second.stderrText).not.toContain(secret);
    await request(second.url).get('/admin/app/list').set('Authorization', bearer).expect(200);
    await stop(second);
    expect(await clientRows(database)).toHaveLength(1);

    // BOOTSTRAP_API_KEY set later does not add a client, and says so.
    const third = await start({ ...env, BOOTSTRAP_API_KEY: CONFIGURED_KEY });
    await request(third.url)
      .get('/admin/app/list')
      .set('Authorization', `Bearer ${CONFIGURED_KEY}`)
      .expect(401);
    await stop(third);
    expect(third.log).toContain('BOOTSTRAP_API_KEY is ignored: it only creates the first API client');
    expect(third.stdoutText + third.stderrText).not.toContain(CONFIGURED_KEY.split('.')[1]);
    expect(await clientRows(database)).toHaveLength(1);
  }, 90000);

  it('creates the admin client from BOOTSTRAP_API_KEY without ever writing the secret', async () => {
    const database = await freshDatabase();
    const server = await start({
      DATABASE_URL: database.url,
      BOOTSTRAP_API_KEY: CONFIGURED_KEY,
      LOG_LEVEL: 'verbose',
    });
    const secret = CONFIGURED_KEY.slice(CONFIGURED_KEY.indexOf('.') + 1);
    const { bearer, basic } = authorizationsOf('ops-admin', secret);
    await request(server.url).get('/admin/app/list').set('Authorization', bearer).expect(200);
    await request(server.url).get('/admin/app/list').set('Authorization', basic).expect(200);
    await stop(server);
    const output = server.stdoutText + server.stderrText;
    expect(output).toContain('Created API client bootstrap-admin (key id ops-admin) from BOOTSTRAP_API_KEY');
    expect(output).not.toContain(BANNER);
    expect(output).not.toContain(secret);
    expect(output).not.toContain(basic.slice('Basic '.length));
    expect((await clientRows(database)).map((row) => row.key_id)).toEqual(['ops-admin']);
  }, 60000);

  it('refuses a malformed BOOTSTRAP_API_KEY without echoing it', async () => {
    const { code, output } = await ServerProcess.runToExit({ BOOTSTRAP_API_KEY: 'admin.too-short-secret' });
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration: BOOTSTRAP_API_KEY must be <keyId>.<secret>');
    expect(output).not.toContain('too-short-secret');
  }, 60000);

  it('AUTH_MODE=none: no client, every route open, and a warning at start', async () => {
    const database = await freshDatabase();
    const server = await start({ DATABASE_URL: database.url, AUTH_MODE: 'none', BOOTSTRAP_API_KEY: '' });
    const response = await request(server.url).get('/admin/app/list').expect(200);
    expect(response.body).toEqual({ status: 'OK', responseObject: { applicationList: [] } });
    await request(server.url)
      .post('/admin/app/create')
      .send({ requestObject: { appId: 'open-app' } })
      .expect(200);
    await request(server.url).get('/v3/api-docs').expect(200);
    await stop(server);
    expect(server.log).toContain(NONE_WARNING);
    expect(server.stdoutText).not.toContain(BANNER);
    expect(await clientRows(database)).toEqual([]);
  }, 60000);

  it('AUTH_MODE=none on a non-loopback HOST exits with the configuration error', async () => {
    const { code, output } = await ServerProcess.runToExit({ AUTH_MODE: 'none' }, { host: '0.0.0.0' });
    expect(code).toBe(1);
    expect(output).toContain(
      'Invalid configuration: AUTH_MODE is none while HOST (0.0.0.0) is not a loopback address',
    );
    expect(output).toContain('AUTH_ALLOW_UNAUTHENTICATED=true');
  }, 60000);

  it('AUTH_MODE=none on a non-loopback HOST starts when AUTH_ALLOW_UNAUTHENTICATED=true', async () => {
    const database = await freshDatabase();
    const server = await start(
      { DATABASE_URL: database.url, AUTH_MODE: 'none', AUTH_ALLOW_UNAUTHENTICATED: 'true' },
      { host: '0.0.0.0' },
    );
    await request(server.url).get('/admin/app/list').expect(200);
    await stop(server);
    expect(server.log).toContain(NONE_WARNING);
  }, 60000);
});
