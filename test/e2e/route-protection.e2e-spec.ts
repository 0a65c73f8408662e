import { API_SCOPES } from '../../src/modules/auth/api-scopes';
import { WWW_AUTHENTICATE } from '../../src/modules/auth/authorization-header';
import {
  call,
  createClient,
  registeredRoutes,
  RegisteredRoute,
  routeKey,
  samplePath,
  TestClient,
} from '../support/api-clients';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Every route the application registers, read from the Express router (so a route added tomorrow is checked too),
 * is closed without credentials in AUTH_MODE=api-key, apart from the documented public probes.
 */

/** The documented public routes (docs: health probes and the service status), without CONTEXT_PATH. */
const PUBLIC_ROUTES = ['GET /health', 'GET /health/ready', 'GET /push/service/status'];

/** The API description (Express, outside Nest): any valid client, whatever its scopes. */
const SWAGGER_PATH = /^\/(swagger-ui|v3\/api-docs)/;

const unauthorized = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_UNAUTHORIZED', message },
});
const NO_CREDENTIALS =
  'Authentication required: send an API key as HTTP Basic (key id and secret) or as Bearer <keyId>.<secret>';
const BAD_CREDENTIALS = 'Invalid API credentials';

const SCOPE_FORBIDDEN = new RegExp(
  `^API client no-scopes does not have the (${API_SCOPES.join('|')}) scope$`,
);

describe.each([
  ['without a context path', ''],
  ['with CONTEXT_PATH=/powerauth-push-server', '/powerauth-push-server'],
])('route protection %s', (_, contextPath) => {
  let t: TestApp;
  let routes: RegisteredRoute[];
  let noScopes: TestClient;
  /** Path without CONTEXT_PATH. */
  const local = (route: RegisteredRoute) => route.path.slice(contextPath.length);
  const isPublic = (route: RegisteredRoute) => PUBLIC_ROUTES.includes(`${route.method} ${local(route)}`);
  const isSwagger = (route: RegisteredRoute) => SWAGGER_PATH.test(local(route));
  const url = (route: RegisteredRoute) => samplePath(route.path);

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ...(contextPath && { CONTEXT_PATH: contextPath }),
        // Every route is tried with a wrong key: the failed-authentication limit must not turn them into 429.
        AUTH_FAILURE_LIMIT: '100000',
      },
    });
    routes = registeredRoutes(t.app);
    noScopes = await createClient(t, 'no-scopes', []);
  });
  afterAll(() => t.close());

  it('finds the routes: all of them under the context path, the public ones and the Swagger ones among them', () => {
    // The application has 60 routes of its own and the Swagger UI's; an enumeration that finds nothing fails here.
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.filter((route) => !isSwagger(route)).length).toBeGreaterThanOrEqual(60);
    expect(new Set(routes.map(routeKey)).size).toBe(routes.length);
    for (const route of routes) expect(route.path.startsWith(`${contextPath}/`)).toBe(true);
    // A public route that disappears (or moves) fails this, instead of leaving a stale allow-list entry.
    expect(
      routes
        .filter(isPublic)
        .map((route) => `${route.method} ${local(route)}`)
        .sort(),
    ).toEqual([...PUBLIC_ROUTES].sort());
    expect(routes.filter(isSwagger).map((route) => local(route))).toEqual(
      expect.arrayContaining(['/swagger-ui', '/swagger-ui/', '/v3/api-docs', '/v3/api-docs.yaml']),
    );
  });

  it('answers every route but the public ones 401 without credentials, with WWW-Authenticate', async () => {
    let checked = 0;
    for (const route of routes.filter((candidate) => !isPublic(candidate))) {
      const response = await call(t.anonymous(), route.method, url(route)).send({ requestObject: {} });
      expect({ route: routeKey(route), status: response.status, body: response.body }).toEqual({
        route: routeKey(route),
        status: 401,
        body: unauthorized(NO_CREDENTIALS),
      });
      expect(response.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('answers HEAD of every GET route but the public ones 401 without credentials', async () => {
    const gets = routes.filter((route) => route.method === 'GET' && !isPublic(route));
    expect(gets.length).toBeGreaterThan(10);
    for (const route of gets) {
      const response = await t.anonymous().head(url(route));
      expect({ route: routeKey(route), status: response.status }).toEqual({
        route: routeKey(route),
        status: 401,
      });
      expect(response.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
    }
  });

  it('answers the same routes with a trailing slash 401 without credentials, and does not serve them in upper case', async () => {
    let checked = 0;
    for (const route of routes.filter((candidate) => !isPublic(candidate))) {
      const slash = await call(t.anonymous(), route.method, `${url(route)}/`);
      expect({ variant: `${url(route)}/`, status: slash.status, body: slash.body }).toEqual({
        variant: `${url(route)}/`,
        status: 401,
        body: unauthorized(NO_CREDENTIALS),
      });
      // Paths are case-sensitive, as the original's (Spring's) are.
      const upper = await call(t.http(), route.method, url(route).toUpperCase());
      expect({
        variant: url(route).toUpperCase(),
        status: upper.status,
        code: upper.body.responseObject?.code,
      }).toEqual({ variant: url(route).toUpperCase(), status: 404, code: 'ERROR_NOT_FOUND' });
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('answers the static files of the Swagger UI (middleware, not routes) 401 without credentials', async () => {
    for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']) {
      const path = `${contextPath}/swagger-ui/${file}`;
      const response = await t.anonymous().get(path);
      expect({ path, status: response.status, body: response.body }).toEqual({
        path,
        status: 401,
        body: unauthorized(NO_CREDENTIALS),
      });
      // The file exists: a valid client gets it.
      expect({ path, status: (await noScopes.http().get(path)).status }).toEqual({ path, status: 200 });
    }
  });

  it('answers every route but the public ones 401 with a key that names no client or has a wrong secret', async () => {
    const wrongKeys = [
      'Bearer nobody-key.some-secret-value',
      `Basic ${Buffer.from('key-no-scopes:not-its-secret').toString('base64')}`,
    ];
    for (const route of routes.filter((candidate) => !isPublic(candidate))) {
      for (const authorization of wrongKeys) {
        const response = await call(t.anonymous(), route.method, url(route)).set(
          'Authorization',
          authorization,
        );
        expect({ route: routeKey(route), status: response.status, body: response.body }).toEqual({
          route: routeKey(route),
          status: 401,
          body: unauthorized(BAD_CREDENTIALS),
        });
        expect(response.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
      }
    }
  });

  it('answers the public routes 200 without credentials', async () => {
    const publicRoutes = routes.filter(isPublic);
    expect(publicRoutes).toHaveLength(PUBLIC_ROUTES.length);
    for (const route of publicRoutes) {
      const response = await call(t.anonymous(), route.method, url(route));
      expect({ route: routeKey(route), status: response.status }).toEqual({
        route: routeKey(route),
        status: 200,
      });
    }
    expect((await t.anonymous().get(`${contextPath}/push/service/status`)).body).toMatchObject({
      status: 'OK',
      responseObject: { applicationName: 'powerauth-push' },
    });
  });

  it('closes every Nest route that is not public to a valid client without scopes: each declares a scope', async () => {
    const scoped = routes.filter((route) => !isPublic(route) && !isSwagger(route));
    expect(scoped.length).toBeGreaterThanOrEqual(57);
    for (const route of scoped) {
      const response = await call(noScopes.http(), route.method, url(route)).send({ requestObject: {} });
      // "does not have the X scope", never "not open to API clients" (a route without a scope) and never 200.
      expect({
        route: routeKey(route),
        status: response.status,
        code: response.body.responseObject?.code,
      }).toEqual({ route: routeKey(route), status: 403, code: 'ERROR_FORBIDDEN' });
      expect(response.body.responseObject.message).toMatch(SCOPE_FORBIDDEN);
    }
  });

  it('serves the API description to any valid client, scopes or not', async () => {
    const swagger = routes.filter(isSwagger);
    expect(swagger.length).toBeGreaterThanOrEqual(4);
    for (const route of swagger) {
      const response = await call(noScopes.http(), route.method, url(route));
      expect({ route: routeKey(route), unauthorized: [401, 403].includes(response.status) }).toEqual({
        route: routeKey(route),
        unauthorized: false,
      });
    }
    const spec = await noScopes.http().get(`${contextPath}/v3/api-docs`).expect(200);
    expect(spec.body.openapi).toMatch(/^3\./);
  });
});
