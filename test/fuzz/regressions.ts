import { TEST_AUTHORIZATION } from '../support/credentials';
import { FuzzRequest, withShortDescription } from './arbitraries';

export interface Regression {
  bug: string;
  request: FuzzRequest;
  /** What the fixed server answers. */
  status: number;
  code: string;
}

const json = { Authorization: TEST_AUTHORIZATION, 'Content-Type': 'application/json' };

function regression(
  bug: string,
  method: string,
  route: string,
  path: string,
  status: number,
  code: string,
  body?: string,
  headers: Record<string, string> = json,
): Regression {
  return {
    bug,
    status,
    code,
    request: withShortDescription({
      kind: 'regression',
      route: `${method} ${route}`,
      raw: { method, path, headers, body },
    }),
  };
}

/**
 * Requests with which the fuzzer found a bug: replayed first on every run, and checked for their exact answer (which
 * can change with the server: compressed bodies were inflated on Express and are a 415 since).
 */
export const REGRESSIONS: Regression[] = [
  regression(
    'JSON nested ~26,000 levels deep overflowed the stack in class-transformer: 500',
    'POST',
    '/push/message/send',
    '/push/message/send',
    400,
    'ERROR_REQUEST',
    `{"requestObject":${'{"a":['.repeat(26_000)}${']}'.repeat(26_000)}}`,
  ),
  regression(
    // Found on GET /swagger-ui, whose body Fastify does not read at all (GET bodies are not).
    'A body that is not the gzip its Content-Encoding says: body-parser error without `type`, answered 500',
    'POST',
    '/push/message/send',
    '/push/message/send',
    415,
    'ERROR_UNSUPPORTED_MEDIA_TYPE',
    '{}',
    { ...json, 'Content-Encoding': 'gzip' },
  ),
  regression(
    'A body that is not the deflate its Content-Encoding says, on an API route: 500',
    'POST',
    '/push/device/create',
    '/push/device/create',
    415,
    'ERROR_UNSUPPORTED_MEDIA_TYPE',
    '{"requestObject":{}}',
    { ...json, 'Content-Encoding': 'deflate' },
  ),
  regression(
    'A campaign id beyond the INTEGER column failed the query on PostgreSQL: 500',
    'GET',
    '/push/campaign/:id/progress',
    '/push/campaign/999999999999999/progress',
    400,
    'ERROR_REQUEST',
  ),
  regression(
    'The same, on a route that writes',
    'POST',
    '/push/campaign/:id/user/add',
    '/push/campaign/2147483648/user/add',
    400,
    'ERROR_REQUEST',
    '{"requestObject":["user-1"]}',
  ),
  regression(
    'U+0000 in a query parameter failed the query on PostgreSQL: 500',
    'GET',
    '/inbox/messages/detail',
    '/inbox/messages/detail?id=%00',
    400,
    'ERROR_REQUEST',
    undefined,
    { Authorization: TEST_AUTHORIZATION },
  ),
  regression(
    'U+0000 in a body field failed the insert on PostgreSQL: 500',
    'POST',
    '/push/device/create',
    '/push/device/create',
    400,
    'ERROR_REQUEST',
    JSON.stringify({
      requestObject: {
        appId: 'mobile-app',
        token: 'fcm\u0000-1',
        platform: 'fcm',
        activationId: 'act-9',
        userId: 'user-9',
        activationStatus: 'ACTIVE',
      },
    }),
  ),
  regression(
    'U+0000 in a campaign user list failed the insert on PostgreSQL: 500',
    'POST',
    '/push/campaign/:id/user/add',
    '/push/campaign/1/user/add',
    400,
    'ERROR_REQUEST',
    JSON.stringify({ requestObject: ['user-1', 'user\u0000-2'] }),
  ),
];
