import { generateKeyPairSync } from 'node:crypto';

/** Realistic provider credentials generated per test run: an APNs .p8 key and a Firebase service account. */
export function apnsPrivateKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function fcmServiceAccountJson(overrides: Record<string, unknown> = {}): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return JSON.stringify({
    type: 'service_account',
    project_id: 'test-project',
    private_key_id: 'abc123',
    private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    client_email: 'push@test-project.iam.gserviceaccount.com',
    client_id: '1234567890',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...overrides,
  });
}

export const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The key of the admin client a test server creates on its first start (BOOTSTRAP_API_KEY). */
export const TEST_API_KEY = 'test-admin.0123456789abcdef0123456789abcdef-test';
export const TEST_AUTHORIZATION = `Bearer ${TEST_API_KEY}`;
