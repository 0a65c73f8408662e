import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ApiClientRecord, ApiClientRepository } from '../../src/modules/auth/api-client.repository';
import { hashSecret } from '../../src/modules/auth/api-key';
import { ApiScope } from '../../src/modules/auth/api-scopes';
import { CatalogRoute, RouteCatalog, RoutedMethod } from '../../src/common/http/route-catalog';
import { base64 } from './credentials';
import { TestApp } from './test-app';

export type HttpMethod = RoutedMethod;

/** One method of one path as the server routes it (the Nest routes and the API description's alike). */
export type RegisteredRoute = CatalogRoute;

/** Every route of the running application, from the catalog the 405 answers use. */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  return [...app.get(RouteCatalog).routes];
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
