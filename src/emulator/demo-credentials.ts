import { generateKeyPair, randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { DemoCredentials } from './emulator.types';

const generateKeyPairAsync = promisify(generateKeyPair);
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * Fresh credentials shaped like the real ones: an APNs .p8 key (EC P-256, PKCS#8) with 10-character key and team
 * IDs, a Firebase service-account JSON whose token_uri is the emulator, and a Huawei OAuth client.
 */
export async function createDemoCredentials(fcmTokenUrl: string): Promise<DemoCredentials> {
  // Key generation runs on the thread pool, off the event loop (RSA-2048 takes a while).
  const [apnsKeys, fcmKeys] = await Promise.all([
    generateKeyPairAsync('ec', { namedCurve: 'prime256v1' }),
    generateKeyPairAsync('rsa', { modulusLength: 2048 }),
  ]);
  const apnsPrivateKeyPem = apnsKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const fcmPrivateKeyPem = fcmKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const fcmProjectId = `emulator-${randomBytes(3).toString('hex')}`;
  const clientEmail = `push-sender@${fcmProjectId}.iam.gserviceaccount.com`;
  const serviceAccountJson = JSON.stringify(
    {
      type: 'service_account',
      project_id: fcmProjectId,
      private_key_id: randomBytes(20).toString('hex'),
      private_key: fcmPrivateKeyPem,
      client_email: clientEmail,
      client_id: String(randomInt(100_000_000, 999_999_999)),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: fcmTokenUrl,
    },
    null,
    2,
  );
  return {
    apns: {
      keyId: randomId(10),
      teamId: randomId(10),
      bundle: 'com.example.app',
      privateKeyPem: apnsPrivateKeyPem,
    },
    fcm: { projectId: fcmProjectId, clientEmail, privateKeyPem: fcmPrivateKeyPem, serviceAccountJson },
    hms: {
      projectId: `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`,
      clientId: String(randomInt(100_000_000, 999_999_999)),
      clientSecret: randomBytes(32).toString('hex'),
    },
  };
}

function randomId(length: number): string {
  let id = '';
  for (let index = 0; index < length; index++) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}
