import type { Response, Test } from 'supertest';
import { TEST_API_KEY, TEST_AUTHORIZATION } from '../support/credentials';
import { authorizationsOf } from '../support/api-clients';
import { startTestApp, TestApp } from '../support/test-app';

/** Security headers on every response, CORS only by configuration, and the API description behind the key. */

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  // The health probes say `no-cache, no-store, must-revalidate` (terminus).
  'cache-control': expect.stringMatching(/(^|, )no-store(,|$)/),
};
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const SWAGGER_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "frame-ancestors 'none'";
const WWW_AUTHENTICATE = 'Basic realm="push-server", charset="UTF-8", Bearer realm="push-server"';
const ALLOWED_ORIGIN = 'https://console.example.com';
const OTHER_ORIGIN = 'https://evil.example.net';

function expectHardened(response: Response, csp = API_CSP): void {
  expect(response.headers).toMatchObject({ ...SECURITY_HEADERS, 'content-security-policy': csp });
  expect(response.headers['x-powered-by']).toBeUndefined();
  // As the original: no ETag, so nothing hashes every answer.
  expect(response.headers.etag).toBeUndefined();
}

function expectNoCors(response: Response): void {
  for (const name of Object.keys(response.headers)) expect(name).not.toMatch(/^access-control-/);
}

describe('HTTP hardening in AUTH_MODE=api-key without CORS_ORIGINS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_FAILURE_LIMIT: '10000' } });
  });
  afterAll(() => t.close());

  it('sends the security headers and no CORS headers on every kind of answer', async () => {
    const answers: Array<[number, () => Test]> = [
      [200, () => t.http().get('/admin/app/list')],
      [200, () => t.anonymous().get('/health')],
      [200, () => t.anonymous().get('/push/service/status')],
      [401, () => t.anonymous().get('/admin/app/list')],
      [401, () => t.anonymous().get('/admin/app/list').set('Authorization', 'Bearer test-admin.wrong')],
      [404, () => t.http().get('/push/nothing-here')],
      [404, () => t.anonymous().get('/nothing-here')],
      [405, () => t.http().get('/push/device/create')],
      [
        400,
        () =>
          t
            .http()
            .post('/admin/app/create')
            .set('Content-Type', 'application/json')
            .send('{"requestObject":'),
      ],
      [
        400,
        () =>
          t
            .http()
            .post('/push/campaign/create')
            .send({ requestObject: { appId: 'unknown' } }),
      ],
    ];
    for (const [status, send] of answers) {
      const response = await send().set('Origin', ALLOWED_ORIGIN);
      expect(response.status).toBe(status);
      expectHardened(response);
      expectNoCors(response);
    }
    const preflight = await t
      .anonymous()
      .options('/push/message/send')
      .set('Origin', ALLOWED_ORIGIN)
      .set('Access-Control-Request-Method', 'POST');
    expectHardened(preflight);
    expectNoCors(preflight);
  });

  it('serves the OpenAPI document and Swagger UI only with an API key, under a CSP the page can run with', async () => {
    for (const path of [
      '/v3/api-docs',
      '/v3/api-docs/',
      '/v3/api-docs.yaml',
      '/swagger-ui',
      '/swagger-ui/',
      '/swagger-ui/index.html',
      '/swagger-ui/swagger-ui-init.js',
      '/SWAGGER-UI/',
      // Where @nestjs/swagger serves the YAML form by default.
      '/swagger-ui-yaml',
    ]) {
      const anonymous = await t.anonymous().get(path).expect(401);
      expect(anonymous.body).toEqual({
        status: 'ERROR',
        responseObject: {
          code: 'ERROR_UNAUTHORIZED',
          message:
            'Authentication required: send an API key as HTTP Basic (key id and secret) or as Bearer <keyId>.<secret>',
        },
      });
      expect(anonymous.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
      expectHardened(anonymous, SWAGGER_CSP);
      const wrong = await t.anonymous().get(path).set('Authorization', 'Bearer test-admin.wrong').expect(401);
      expect(wrong.body.responseObject).toEqual({
        code: 'ERROR_UNAUTHORIZED',
        message: 'Invalid API credentials',
      });
    }

    const basic = authorizationsOf(
      TEST_API_KEY.split('.')[0],
      TEST_API_KEY.slice(TEST_API_KEY.indexOf('.') + 1),
    ).basic;
    const document = await t.anonymous().get('/v3/api-docs').set('Authorization', basic).expect(200);
    expect(document.body.openapi).toMatch(/^3\./);
    expectHardened(document, SWAGGER_CSP);
    const yaml = await t
      .anonymous()
      .get('/v3/api-docs.yaml')
      .set('Authorization', TEST_AUTHORIZATION)
      .expect(200);
    expect(yaml.text).toMatch(/^openapi: 3\./);
    const ui = await t.anonymous().get('/swagger-ui/').set('Authorization', TEST_AUTHORIZATION).expect(200);
    expect(ui.text).toContain('swagger-ui');
    expectHardened(ui, SWAGGER_CSP);
    const init = await t
      .anonymous()
      .get('/swagger-ui/swagger-ui-init.js')
      .set('Authorization', TEST_AUTHORIZATION)
      .expect(200);
    expectHardened(init, SWAGGER_CSP);
    await t.anonymous().get('/swagger-ui-yaml').set('Authorization', TEST_AUTHORIZATION).expect(404);
  });
});

describe('HTTP hardening with CORS_ORIGINS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: `${ALLOWED_ORIGIN}, https://other.example.com` } });
  });
  afterAll(() => t.close());

  it('answers an allowed origin with Access-Control-Allow-Origin, on errors too', async () => {
    const ok = await t.http().get('/admin/app/list').set('Origin', ALLOWED_ORIGIN).expect(200);
    expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(ok.headers.vary).toMatch(/Origin/);
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
    expectHardened(ok);
    const unauthorized = await t.anonymous().get('/admin/app/list').set('Origin', ALLOWED_ORIGIN).expect(401);
    expect(unauthorized.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
  });

  it('answers a preflight of an allowed origin without credentials', async () => {
    const preflight = await t
      .anonymous()
      .options('/push/message/send')
      .set('Origin', ALLOWED_ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type')
      .expect(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': ALLOWED_ORIGIN,
      'access-control-allow-methods': 'GET,POST,PUT,DELETE',
      'access-control-allow-headers': 'Authorization,Content-Type',
      'access-control-max-age': '600',
    });
    expectHardened(preflight);
  });

  it('gives another origin no Access-Control-Allow-Origin', async () => {
    const response = await t.http().get('/admin/app/list').set('Origin', OTHER_ORIGIN).expect(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t
      .anonymous()
      .options('/push/message/send')
      .set('Origin', OTHER_ORIGIN)
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // Nor does a look-alike of an allowed one.
    const lookAlike = await t.http().get('/admin/app/list').set('Origin', `${ALLOWED_ORIGIN}.evil.net`);
    expect(lookAlike.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('HTTP hardening in AUTH_MODE=none', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_MODE: 'none' } });
  });
  afterAll(() => t.close());

  it('serves the API description without a key', async () => {
    const document = await t.anonymous().get('/v3/api-docs').expect(200);
    expect(document.body.openapi).toMatch(/^3\./);
    expectHardened(document, SWAGGER_CSP);
    await t.anonymous().get('/swagger-ui/').expect(200);
    expectHardened(await t.anonymous().get('/admin/app/list').expect(200));
  });
});

describe('HTTP hardening under CONTEXT_PATH', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { CONTEXT_PATH: '/powerauth-push-server' } });
  });
  afterAll(() => t.close());

  it('keeps the API description behind the key', async () => {
    for (const path of ['/v3/api-docs', '/v3/api-docs.yaml', '/swagger-ui/']) {
      const anonymous = await t.anonymous().get(`/powerauth-push-server${path}`).expect(401);
      expectHardened(anonymous, SWAGGER_CSP);
      await t.http().get(`/powerauth-push-server${path}`).expect(200);
    }
    expectHardened(await t.anonymous().get('/powerauth-push-server/admin/app/list').expect(401));
  });
});
