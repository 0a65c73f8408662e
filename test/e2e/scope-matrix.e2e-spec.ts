import { API_SCOPES, ApiScope } from '../../src/modules/auth/api-scopes';
import {
  call,
  createClient,
  forbidden,
  HttpMethod,
  registeredRoutes,
  RegisteredRoute,
  routeKey,
  samplePath,
  TestClient,
} from '../support/api-clients';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Scope by scope: a client holding only that scope reaches the routes of the scope and gets 403 on every other one.
 * The scope of each route comes from the table below (the documented contract), not from the decorators, so a wrong
 * or missing `@RequireScope` fails here; the table must list exactly the routes the router serves.
 */

interface ScopedRoute {
  scope: ApiScope;
  /** What the route answers a client with its scope for the sample request (an empty requestObject, no query). */
  answer: 200 | 400;
}

const ROUTES: Record<string, ScopedRoute> = {
  'GET /admin/app/list': { scope: 'admin', answer: 200 },
  'GET /admin/app/unconfigured/list': { scope: 'admin', answer: 200 },
  'GET /admin/audit/list': { scope: 'admin', answer: 200 },
  'POST /admin/app/detail': { scope: 'admin', answer: 400 },
  'POST /admin/app/create': { scope: 'admin', answer: 400 },
  'POST /admin/app/apns': { scope: 'admin', answer: 400 },
  'PUT /admin/app/apns': { scope: 'admin', answer: 400 },
  'DELETE /admin/app/apns': { scope: 'admin', answer: 400 },
  'POST /admin/app/ios/update': { scope: 'admin', answer: 400 },
  'PUT /admin/app/ios/update': { scope: 'admin', answer: 400 },
  'POST /admin/app/ios/remove': { scope: 'admin', answer: 400 },
  'DELETE /admin/app/ios/remove': { scope: 'admin', answer: 400 },
  'POST /admin/app/fcm': { scope: 'admin', answer: 400 },
  'PUT /admin/app/fcm': { scope: 'admin', answer: 400 },
  'DELETE /admin/app/fcm': { scope: 'admin', answer: 400 },
  'POST /admin/app/android/update': { scope: 'admin', answer: 400 },
  'PUT /admin/app/android/update': { scope: 'admin', answer: 400 },
  'POST /admin/app/android/remove': { scope: 'admin', answer: 400 },
  'DELETE /admin/app/android/remove': { scope: 'admin', answer: 400 },
  'POST /admin/app/hms': { scope: 'admin', answer: 400 },
  'PUT /admin/app/hms': { scope: 'admin', answer: 400 },
  'DELETE /admin/app/hms': { scope: 'admin', answer: 400 },
  'POST /admin/app/huawei/update': { scope: 'admin', answer: 400 },
  'PUT /admin/app/huawei/update': { scope: 'admin', answer: 400 },
  'POST /admin/app/huawei/remove': { scope: 'admin', answer: 400 },
  'DELETE /admin/app/huawei/remove': { scope: 'admin', answer: 400 },

  'POST /push/device/create': { scope: 'device', answer: 400 },
  'POST /push/device/create/multi': { scope: 'device', answer: 400 },
  'POST /push/device/delete': { scope: 'device', answer: 400 },
  'DELETE /push/device/delete': { scope: 'device', answer: 400 },
  'POST /push/device/remove': { scope: 'device', answer: 400 },
  'DELETE /push/device/remove': { scope: 'device', answer: 400 },
  'POST /push/device/status/update': { scope: 'status-callback', answer: 400 },
  'PUT /push/device/status/update': { scope: 'status-callback', answer: 400 },

  'POST /push/message/send': { scope: 'push', answer: 400 },
  'POST /push/message/batch/send': { scope: 'push', answer: 400 },

  'POST /push/campaign/create': { scope: 'campaign', answer: 400 },
  'POST /push/campaign/:id/delete': { scope: 'campaign', answer: 200 },
  'DELETE /push/campaign/:id/delete': { scope: 'campaign', answer: 200 },
  'GET /push/campaign/:id/detail': { scope: 'campaign', answer: 400 },
  'GET /push/campaign/list': { scope: 'campaign', answer: 200 },
  'POST /push/campaign/:id/user/add': { scope: 'campaign', answer: 400 },
  'PUT /push/campaign/:id/user/add': { scope: 'campaign', answer: 400 },
  'GET /push/campaign/:id/user/list': { scope: 'campaign', answer: 200 },
  'POST /push/campaign/:id/user/delete': { scope: 'campaign', answer: 400 },
  'DELETE /push/campaign/:id/user/delete': { scope: 'campaign', answer: 400 },
  'POST /push/campaign/send/test/:id': { scope: 'campaign', answer: 400 },
  'POST /push/campaign/send/live/:id': { scope: 'campaign', answer: 400 },
  'GET /push/campaign/:id/progress': { scope: 'campaign', answer: 400 },

  'POST /inbox/messages': { scope: 'inbox', answer: 400 },
  'GET /inbox/messages/list': { scope: 'inbox', answer: 400 },
  'GET /inbox/messages/count': { scope: 'inbox', answer: 400 },
  'GET /inbox/messages/detail': { scope: 'inbox', answer: 400 },
  'POST /inbox/messages/read': { scope: 'inbox', answer: 400 },
  'PUT /inbox/messages/read': { scope: 'inbox', answer: 400 },
  'POST /inbox/messages/read-all': { scope: 'inbox', answer: 400 },
  'PUT /inbox/messages/read-all': { scope: 'inbox', answer: 400 },

  'GET /metrics': { scope: 'metrics', answer: 200 },
};

const PUBLIC_ROUTES = ['GET /health', 'GET /health/ready', 'GET /push/service/status'];
const SWAGGER_PATH = /^\/(swagger-ui|v3\/api-docs)/;

const entries = Object.entries(ROUTES).map(([key, route]) => {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { key, method, path, ...route };
});

function sample(http: ReturnType<TestClient['http']>, method: HttpMethod, path: string) {
  const request = call(http, method, samplePath(path));
  return method === 'GET' ? request : request.send({ requestObject: {} });
}

describe('scope matrix', () => {
  let t: TestApp;
  let routes: RegisteredRoute[];
  const clients = new Map<ApiScope, TestClient>();

  beforeAll(async () => {
    t = await startTestApp();
    routes = registeredRoutes(t.app);
    for (const scope of API_SCOPES) clients.set(scope, await createClient(t, `only-${scope}`, [scope]));
  });
  afterAll(() => t.close());

  it('the table lists exactly the routes the router serves (besides the public and Swagger ones)', () => {
    const served = routes
      .filter((route) => !PUBLIC_ROUTES.includes(routeKey(route)) && !SWAGGER_PATH.test(route.path))
      .map(routeKey);
    expect(served.sort()).toEqual(Object.keys(ROUTES).sort());
    expect(served.length).toBeGreaterThanOrEqual(57);
  });

  it('every scope has routes, and the table names no other scope', () => {
    expect(new Set(entries.map((route) => route.scope))).toEqual(new Set(API_SCOPES));
  });

  describe.each(API_SCOPES.map((scope) => [scope]))('a client with only the %s scope', (scope) => {
    const own = entries.filter((route) => route.scope === scope);
    const others = entries.filter((route) => route.scope !== scope);

    it(`reaches the ${own.length} route(s) of its scope`, async () => {
      expect(own.length).toBeGreaterThan(0);
      const client = clients.get(scope)!;
      for (const route of own) {
        const response = await sample(client.http(), route.method, route.path);
        expect({ route: route.key, status: response.status }).toEqual({
          route: route.key,
          status: route.answer,
        });
        if (response.status === 400) expect(response.body.responseObject.code).not.toBe('ERROR_FORBIDDEN');
      }
    });

    it('gets 403 naming the missing scope on every route of the other scopes', async () => {
      expect(others.length).toBeGreaterThan(0);
      const client = clients.get(scope)!;
      for (const route of others) {
        const response = await sample(client.http(), route.method, route.path);
        expect({ route: route.key, status: response.status, body: response.body }).toEqual({
          route: route.key,
          status: 403,
          body: forbidden(`API client only-${scope} does not have the ${route.scope} scope`),
        });
      }
    });

    it('reaches the public routes and the API description', async () => {
      const client = clients.get(scope)!;
      for (const key of PUBLIC_ROUTES) {
        const response = await client.http().get(key.split(' ')[1]);
        expect({ route: key, status: response.status }).toEqual({ route: key, status: 200 });
      }
      await client.http().get('/v3/api-docs').expect(200);
      await client.http().get('/swagger-ui/').expect(200);
    });
  });

  it('a client with several scopes reaches each of them and nothing else', async () => {
    const client = await createClient(t, 'device-and-push', ['device', 'push']);
    for (const route of entries) {
      const response = await sample(client.http(), route.method, route.path);
      const allowed = route.scope === 'device' || route.scope === 'push';
      expect({ route: route.key, status: response.status }).toEqual({
        route: route.key,
        status: allowed ? route.answer : 403,
      });
    }
  });
});
