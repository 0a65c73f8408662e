import { randomBytes } from 'node:crypto';
import { ApiClientRecord, ApiClientRepository } from '../../src/modules/auth/api-client.repository';
import { hashSecret } from '../../src/modules/auth/api-key';
import { ApiScope } from '../../src/modules/auth/api-scopes';
import { base64 } from './credentials';
import { TestApp } from './test-app';

export interface TestClient {
  record: ApiClientRecord;
  keyId: string;
  secret: string;
  /** `Bearer <keyId>.<secret>` */
  bearer: string;
  /** `Basic base64(<keyId>:<secret>)` */
  basic: string;
}

export function authorizationsOf(keyId: string, secret: string): { bearer: string; basic: string } {
  return { bearer: `Bearer ${keyId}.${secret}`, basic: `Basic ${base64(`${keyId}:${secret}`)}` };
}

/** An extra API client written straight through the repository, as the command-line tool would. */
export async function createTestClient(
  t: TestApp,
  name: string,
  scopes: ApiScope[],
  options: { appIds?: string[]; secret?: string } = {},
): Promise<TestClient> {
  const keyId = `${name}-key`;
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const record = await t.app.get(ApiClientRepository).insert({
    name,
    keyId,
    secretHash: await hashSecret(secret),
    scopes,
    appIds: options.appIds,
  });
  return { record, keyId, secret, ...authorizationsOf(keyId, secret) };
}
