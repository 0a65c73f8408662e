import { DemoCredentials, EmulatorEndpoints, ProviderEmulator } from './provider-emulator';

/**
 * `npm run emulator`: the provider emulators as a process, for the README try-out and out-of-process benchmarks.
 * Settings: EMULATOR_HOST (127.0.0.1), EMULATOR_PORT (8443), EMULATOR_CA_FILE (a temporary file),
 * EMULATOR_MAX_RECORDS (200000), PUSH_SERVER_URL (http://127.0.0.1:8080, only for the printed commands).
 */
async function main(): Promise<void> {
  // eslint-disable-next-line no-restricted-properties -- the emulator's own CLI entry point, not the server's config
  const env = process.env;
  const emulator = new ProviderEmulator();
  const endpoints = await emulator.start({
    host: env.EMULATOR_HOST || '127.0.0.1',
    port: integer(env.EMULATOR_PORT, 8443, 'EMULATOR_PORT'),
    caFile: env.EMULATOR_CA_FILE || undefined,
    maxRecords: integer(env.EMULATOR_MAX_RECORDS, 200_000, 'EMULATOR_MAX_RECORDS'),
  });
  const demo = await emulator.generateDemoCredentials();
  process.stdout.write(
    instructions(endpoints, demo, (env.PUSH_SERVER_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '')),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the provider emulator\n`);
    void emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function instructions(endpoints: EmulatorEndpoints, demo: DemoCredentials, server: string): string {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const curl = (path: string, requestObject: Record<string, string>) =>
    `curl -s -X PUT -H "Authorization: Bearer $PUSH_API_KEY" -H 'Content-Type: application/json' ${server}${path} \\\n` +
    `  -d '${JSON.stringify({ requestObject })}'`;
  const control = `${endpoints.baseUrl}/emulator`;
  return [
    `Provider emulator (APNs, FCM, HMS) listening on ${endpoints.baseUrl}`,
    '',
    '# 1. Point the push server at it (then start the server):',
    `export APNS_PRODUCTION_URL=${endpoints.apnsUrl}`,
    `export APNS_DEVELOPMENT_URL=${endpoints.apnsUrl}`,
    `export FCM_URL=${endpoints.fcmUrl}`,
    `export HMS_TOKEN_URL=${endpoints.hmsTokenUrl}`,
    `export HMS_PUSH_URL=${endpoints.hmsPushUrl}`,
    `export PROVIDER_CA_FILE=${endpoints.caFile}`,
    '',
    '# 2. Create the application and upload the demo credentials (registered with the emulator already), as the',
    '#    admin client whose key the server printed at its first start (or BOOTSTRAP_API_KEY):',
    "export PUSH_API_KEY='<the key the server printed>'",
    `curl -s -H "Authorization: Bearer $PUSH_API_KEY" -H 'Content-Type: application/json' ${server}/admin/app/create \\\n` +
      `  -d '${JSON.stringify({ requestObject: { appId: 'mobile-app' } })}'`,
    curl('/admin/app/apns', {
      appId: 'mobile-app',
      bundle: demo.apns.bundle,
      keyId: demo.apns.keyId,
      teamId: demo.apns.teamId,
      environment: 'development',
      privateKeyBase64: base64(demo.apns.privateKeyPem),
    }),
    curl('/admin/app/fcm', {
      appId: 'mobile-app',
      projectId: demo.fcm.projectId,
      privateKeyBase64: base64(demo.fcm.serviceAccountJson),
    }),
    curl('/admin/app/hms', {
      appId: 'mobile-app',
      projectId: demo.hms.projectId,
      clientId: demo.hms.clientId,
      clientSecret: demo.hms.clientSecret,
    }),
    '',
    '# 3. Watch and steer the emulator:',
    `curl -sk '${control}/requests?provider=apns'   # what it received: apns, fcm, hms, fcm-token, hms-token`,
    `curl -sk '${control}/counts'`,
    `curl -sk -X DELETE '${control}/requests'`,
    `curl -sk -H 'Content-Type: application/json' '${control}/behaviours' \\\n` +
      `  -d '${JSON.stringify({ provider: 'apns', tokenPrefix: 'dead', behaviour: { kind: 'unregistered' } })}'`,
    '',
    'Ctrl+C stops it.',
    '',
  ].join('\n');
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer`);
  return parsed;
}

main().catch((error: unknown) => {
  process.stderr.write(`Provider emulator failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
