import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ApiClientRecord, ApiClientRepository } from '../../src/modules/auth/api-client.repository';
import { hashSecret } from '../../src/modules/auth/api-key';
import { ApiScope } from '../../src/modules/auth/api-scopes';
import { base64 } from './credentials';
import { TestApp } from './test-app';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One method of one path as the Express router serves it (the Nest routes and the Swagger routes alike). */
export interface RegisteredRoute {
  method: HttpMethod;
  /** Including CONTEXT_PATH, with Express parameters (`:id`). */
  path: string;
}

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
}

/** Every route of the running application, read from its Express router (as RouteCatalog does). */
export function registeredRoutes(app: NestExpressApplication): RegisteredRoute[] {
  const router = (app.getHttpAdapter().getInstance() as { router?: { stack: RouterLayer[] } }).router;
  if (!router) throw new Error('The Express application has no router');
  const routes: RegisteredRoute[] = [];
  for (const layer of router.stack) {
    if (!layer.route) continue;
    if (typeof layer.route.path !== 'string')
      throw new Error(`Unexpected route path ${String(layer.route.path)}`);
    for (const [method, enabled] of Object.entries(layer.route.methods)) {
      if (!enabled) continue;
      const upper = method.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'DELETE'].includes(upper)) {
        throw new Error(`Unexpected method ${method} of ${layer.route.path}: extend the route tests`);
      }
      routes.push({ method: upper as HttpMethod, path: layer.route.path });
    }
  }
  return routes;
}

/** `METHOD /path` */
export const routeKey = (route: RegisteredRoute) => `${route.method} ${route.path}`;

/** A concrete URL for a route: every parameter gets the sample value 1. */
export const samplePath = (path: string) => path.replace(/:[A-Za-z0-9_]+/g, '1');

export interface TestClient {
  name: string;
  record: ApiClientRecord;
  keyId: string;
  secret: string;
  /** `Bearer <keyId>.<secret>` */
  bearer: string;
  /** `Basic base64(<keyId>:<secret>)` */
  basic: string;
  /** The Bearer header, which `http()` sends. */
  authorization: string;
  /** supertest against the app with this client's credentials. */
  http: () => ReturnType<typeof request>;
}

export function authorizationsOf(keyId: string, secret: string): { bearer: string; basic: string } {
  return { bearer: `Bearer ${keyId}.${secret}`, basic: `Basic ${base64(`${keyId}:${secret}`)}` };
}

/** A push_api_client row written straight through the repository, as the command-line tool would. */
export async function createTestClient(
  t: TestApp,
  name: string,
  scopes: ApiScope[],
  options: { appIds?: string[]; secret?: string; keyId?: string } = {},
): Promise<TestClient> {
  const keyId = options.keyId ?? `${name}-key`;
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const record = await t.app.get(ApiClientRepository).insert({
    name,
    keyId,
    secretHash: await hashSecret(secret),
    scopes,
    appIds: options.appIds,
  });
  const { bearer, basic } = authorizationsOf(keyId, secret);
  const server = t.app.getHttpServer();
  return {
    name,
    record,
    keyId,
    secret,
    bearer,
    basic,
    authorization: bearer,
    http: () => request.agent(server).set('Authorization', bearer) as unknown as ReturnType<typeof request>,
  };
}

/** The same, with key id `key-<name>` and a fixed secret (the route and restriction tests). */
export function createClient(
  t: TestApp,
  name: string,
  scopes: ApiScope[],
  appIds?: string[],
): Promise<TestClient> {
  return createTestClient(t, name, scopes, {
    appIds,
    keyId: `key-${name}`,
    secret: `secret-of-${name}-0123456789abcdef`,
  });
}

/** supertest's request for a method by name. */
export function call(http: ReturnType<typeof request>, method: HttpMethod, url: string) {
  switch (method) {
    case 'GET':
      return http.get(url);
    case 'POST':
      return http.post(url);
    case 'PUT':
      return http.put(url);
    case 'DELETE':
      return http.delete(url);
  }
}

export const forbidden = (message: string) => ({
  status: 'ERROR',
  responseObject: { code: 'ERROR_FORBIDDEN', message },
});
