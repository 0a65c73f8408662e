import request from 'supertest';
import { DemoCredentials, ProviderEmulator } from '../../src/emulator/provider-emulator';
import { base64, TEST_AUTHORIZATION } from './credentials';
import { startTestApp, TestApp, TestAppOptions } from './test-app';

/** Environment that points the server's provider clients at a running emulator. */
export function emulatorEnv(emulator: ProviderEmulator): Record<string, string> {
  return {
    APNS_PRODUCTION_URL: emulator.apnsUrl,
    APNS_DEVELOPMENT_URL: emulator.apnsUrl,
    FCM_URL: emulator.fcmUrl,
    HMS_TOKEN_URL: emulator.hmsTokenUrl,
    HMS_PUSH_URL: emulator.hmsPushUrl,
    PROVIDER_CA_FILE: emulator.caFile,
  };
}

export interface DeliveryFixture {
  emulator: ProviderEmulator;
  credentials: DemoCredentials;
  t: TestApp;
  close(): Promise<void>;
}

/** The real app, the provider emulators, and app `mobile-app` configured for APNs, FCM and HMS. */
export async function startDeliveryFixture(options: TestAppOptions = {}): Promise<DeliveryFixture> {
  const emulator = new ProviderEmulator();
  await emulator.start();
  const credentials = await emulator.generateDemoCredentials();
  const t = await startTestApp({
    ...options,
    env: { SEND_RETRY_BASE_MS: '20', SEND_RETRY_MAX_MS: '200', ...emulatorEnv(emulator), ...options.env },
  });
  await configureApp(t, 'mobile-app', credentials);
  return {
    emulator,
    credentials,
    t,
    close: async () => {
      await t.close();
      await emulator.stop();
    },
  };
}

export async function configureApp(
  t: TestApp,
  appId: string,
  credentials: DemoCredentials,
  apnsEnvironment = 'production',
): Promise<void> {
  await configureWith(() => t.http(), appId, credentials, apnsEnvironment);
}

/** The same against a server running elsewhere (a child process). */
export function configureAppOver(url: string, appId: string, credentials: DemoCredentials): Promise<void> {
  return configureWith(
    () =>
      request.agent(url).set('Authorization', TEST_AUTHORIZATION) as unknown as ReturnType<typeof request>,
    appId,
    credentials,
    'production',
  );
}

async function configureWith(
  http: () => ReturnType<typeof request>,
  appId: string,
  credentials: DemoCredentials,
  apnsEnvironment: string,
): Promise<void> {
  await http().post('/admin/app/create').send({ requestObject: { appId } }).expect(200);
  const { apns, fcm, hms } = credentials;
  await http()
    .put('/admin/app/apns')
    .send({
      requestObject: {
        appId,
        bundle: apns.bundle,
        keyId: apns.keyId,
        teamId: apns.teamId,
        environment: apnsEnvironment,
        privateKeyBase64: base64(apns.privateKeyPem),
      },
    })
    .expect(200);
  await http()
    .put('/admin/app/fcm')
    .send({
      requestObject: { appId, projectId: fcm.projectId, privateKeyBase64: base64(fcm.serviceAccountJson) },
    })
    .expect(200);
  await http()
    .put('/admin/app/hms')
    .send({
      requestObject: {
        appId,
        projectId: hms.projectId,
        clientId: hms.clientId,
        clientSecret: hms.clientSecret,
      },
    })
    .expect(200);
}

export interface DeviceSpec {
  platform: string;
  token: string;
  activationId: string;
  userId: string;
  activationStatus?: string;
  environment?: string;
  appId?: string;
}

export async function registerDevice(t: TestApp, device: DeviceSpec): Promise<void> {
  await t
    .http()
    .post('/push/device/create')
    .send({ requestObject: { appId: 'mobile-app', activationStatus: 'ACTIVE', ...device } })
    .expect(200);
}

/** Polls until `check` stops throwing (or the time runs out, rethrowing its last error). */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export const hexToken = (prefix: string, n: number) =>
  `${prefix}${n.toString(16).padStart(8, '0')}`.padEnd(64, '0');
