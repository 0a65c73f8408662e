import { MALFORMED_JSON, MISSING_REQUEST_OBJECT } from '../support/error-envelopes';
import { startTestApp, TestApp } from '../support/test-app';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

describe('Service endpoints, envelope and error conventions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { APPLICATION_ENVIRONMENT: 'test' } });
  });
  afterAll(() => t.close());

  it('GET /push/service/status answers the original fields with Java-style dates', async () => {
    const response = await t.http().get('/push/service/status').expect(200);
    expect(response.body).toEqual({
      status: 'OK',
      responseObject: {
        applicationName: 'powerauth-push',
        applicationDisplayName: 'PowerAuth Push Server',
        applicationEnvironment: 'test',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        timestamp: expect.stringMatching(ISO_WITH_OFFSET),
      },
    });
    expect(Math.abs(Date.parse(response.body.responseObject.timestamp) - Date.now())).toBeLessThan(5000);
  });

  it('GET /health answers liveness and /health/ready checks the database', async () => {
    expect((await t.http().get('/health').expect(200)).body).toMatchObject({ status: 'ok' });
    expect((await t.http().get('/health/ready').expect(200)).body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' } },
    });
  });

  it('serves the OpenAPI document generated from the DTOs and the Swagger UI', async () => {
    const spec = (await t.http().get('/v3/api-docs').expect(200)).body;
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/push/device/create', '/admin/app/apns', '/push/service/status']),
    );
    const createBody = spec.paths['/push/device/create'].post.requestBody.content['application/json'].schema;
    expect(createBody.$ref).toMatch(/ObjectRequestCreateDeviceRequest$/);
    expect(spec.components.schemas.CreateDeviceRequest.properties).toHaveProperty('platform');
    const ui = await t.http().get('/swagger-ui/').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('answers an unknown path with a 404 envelope', async () => {
    const response = await t.http().get('/push/nothing-here').expect(404);
    expect(response.body).toEqual({
      status: 'ERROR',
      responseObject: { code: 'ERROR_NOT_FOUND', message: 'No endpoint GET /push/nothing-here' },
    });
  });

  it('answers a wrong method with a 405 envelope and an Allow header', async () => {
    const response = await t.http().get('/push/device/create').expect(405);
    expect(response.headers.allow).toBe('POST');
    expect(response.body).toEqual({
      status: 'ERROR',
      responseObject: {
        code: 'ERROR_METHOD_NOT_ALLOWED',
        message: "Request method 'GET' is not supported for /push/device/create",
      },
    });
    expect((await t.http().put('/push/device/delete').expect(405)).headers.allow).toBe('DELETE, POST');
  });

  it('answers malformed JSON with 400 ERROR_REQUEST, not 500', async () => {
    const response = await t
      .http()
      .post('/admin/app/create')
      .set('Content-Type', 'application/json')
      .send('{"requestObject": {"appId": ')
      .expect(400);
    expect(response.body).toEqual(MALFORMED_JSON);
  });

  it('reads JSON strictly: a scalar is malformed, an empty body is {}, other content types are ignored', async () => {
    const post = (contentType: string, body: string) =>
      t.http().post('/admin/app/create').set('Content-Type', contentType).send(body);
    for (const scalar of ['"mobile-app"', 'null', '42', 'true']) {
      expect((await post('application/json', scalar).expect(400)).body).toEqual(MALFORMED_JSON);
    }
    expect((await post('application/json', '').expect(400)).body).toEqual(MISSING_REQUEST_OBJECT);
    expect((await post('text/plain', '{"requestObject":{"appId":"plain"}}').expect(400)).body).toEqual(
      MISSING_REQUEST_OBJECT,
    );
    await post('application/json; charset=utf-8', '{"requestObject":{"appId":"utf8"}}').expect(200);
    expect(await t.sql('SELECT app_id FROM push_app_credentials')).toEqual([{ app_id: 'utf8' }]);
  });

  it('answers a compressed body with 415 and reads nothing of it', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const response = await t
        .http()
        .post('/admin/app/create')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send('{"requestObject":{"appId":"packed"}}')
        .expect(415);
      expect(response.body).toEqual({
        status: 'ERROR',
        responseObject: {
          code: 'ERROR_UNSUPPORTED_MEDIA_TYPE',
          message: `Content-Encoding ${encoding} is not supported: send the body uncompressed`,
        },
      });
    }
    await t
      .http()
      .post('/admin/app/create')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'identity')
      .send('{"requestObject":{"appId":"identity"}}')
      .expect(200);
    expect(
      await t.sql("SELECT app_id FROM push_app_credentials WHERE app_id IN ('packed', 'identity')"),
    ).toEqual([{ app_id: 'identity' }]);
  });

  it('answers a URL the router cannot decode, or an overlong path parameter, in the envelope with the usual headers', async () => {
    const badUrl = await t.http().get('/push/campaign/%/detail').expect(400);
    expect(badUrl.body).toEqual({
      status: 'ERROR',
      responseObject: {
        code: 'ERROR_REQUEST',
        message: "'/push/campaign/%/detail' is not a valid url component",
      },
    });
    expect(badUrl.headers['x-content-type-options']).toBe('nosniff');
    const longId = await t
      .http()
      .get(`/push/campaign/${'1'.repeat(101)}/detail`)
      .expect(414);
    expect(longId.body.status).toBe('ERROR');
    expect(longId.body.responseObject.code).toBe('ERROR_GENERIC');
    expect(longId.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a body over the size limit with 413 in the envelope', async () => {
    const response = await t
      .http()
      .post('/admin/app/create')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ requestObject: { appId: 'x'.repeat(2 * 1024 * 1024) } }))
      .expect(413);
    expect(response.body).toEqual({
      status: 'ERROR',
      responseObject: { code: 'ERROR_PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
    });
  });

  it('answers a missing requestObject with a violation on requestObject', async () => {
    const response = await t.http().post('/admin/app/create').send({}).expect(400);
    expect(response.body).toEqual(MISSING_REQUEST_OBJECT);
  });

  it('answers a non-object requestObject with a violation naming it', async () => {
    const response = await t
      .http()
      .post('/admin/app/create')
      .send({ requestObject: 'mobile-app' })
      .expect(400);
    expect(response.body.responseObject.violations).toEqual([
      { fieldName: 'requestObject', invalidValue: 'mobile-app', hint: 'must be a JSON object' },
    ]);
  });
});

describe('CONTEXT_PATH', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { CONTEXT_PATH: '/powerauth-push-server' } });
  });
  afterAll(() => t.close());

  it('serves the original URLs under the context path', async () => {
    await t.http().get('/powerauth-push-server/push/service/status').expect(200);
    await t.http().get('/powerauth-push-server/v3/api-docs').expect(200);
    await t.http().get('/powerauth-push-server/health').expect(200);
    const outside = await t.http().get('/push/service/status').expect(404);
    expect(outside.body.responseObject.code).toBe('ERROR_NOT_FOUND');
  });
});
