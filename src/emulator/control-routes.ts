import { PushProvider, RECORDED_PROVIDERS, RecordedProvider } from './emulator.types';
import type { ProviderEmulator } from './provider-emulator';
import { Reply } from './provider-exchange';

/**
 * `/emulator/*`: the in-process API over HTTP, for benchmarks and manual try-outs that run the emulator as its own
 * process. Same server, same state.
 */
export async function handleControl(
  emulator: ProviderEmulator,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): Promise<Reply> {
  try {
    const fields = (body && typeof body === 'object' ? body : {}) as Record<string, any>;
    const route = `${method} ${path.replace(/\/+$/, '')}`;
    switch (route) {
      case 'GET /emulator/info':
        return ok(emulator.endpoints);
      case 'GET /emulator/requests':
        return ok(
          emulator.requests(recordedProvider(query.get('provider')), optionalLimit(query.get('limit'))),
        );
      case 'DELETE /emulator/requests':
        emulator.clearRequests();
        return { status: 204 };
      case 'GET /emulator/counts':
        return ok(emulator.counts());
      case 'POST /emulator/reset':
        emulator.reset();
        return { status: 204 };
      case 'POST /emulator/behaviours':
        emulator.setBehaviour(fields.provider as PushProvider, fields.tokenPrefix ?? '', fields.behaviour);
        return ok({
          provider: fields.provider,
          tokenPrefix: fields.tokenPrefix ?? '',
          behaviour: fields.behaviour,
        });
      case 'DELETE /emulator/behaviours':
        emulator.clearBehaviours();
        return { status: 204 };
      case 'POST /emulator/credentials/apns':
        emulator.registerApnsKey({
          keyId: fields.keyId,
          teamId: fields.teamId,
          publicKeyPem: fields.publicKeyPem,
          privateKeyPem: fields.privateKeyPem,
        });
        return ok({ registered: 'apns', keyId: fields.keyId });
      case 'POST /emulator/credentials/fcm':
        // Either our field names or a Firebase service-account JSON as downloaded.
        emulator.registerFcmServiceAccount({
          clientEmail: fields.clientEmail ?? fields.client_email,
          projectId: fields.projectId ?? fields.project_id,
          publicKeyPem: fields.publicKeyPem,
          privateKeyPem: fields.privateKeyPem ?? fields.private_key,
        });
        return ok({ registered: 'fcm', clientEmail: fields.clientEmail ?? fields.client_email });
      case 'POST /emulator/credentials/hms':
        emulator.registerHmsClient({ clientId: fields.clientId, clientSecret: fields.clientSecret });
        return ok({ registered: 'hms', clientId: fields.clientId });
      case 'POST /emulator/demo-credentials':
        return ok(await emulator.generateDemoCredentials());
      default:
        return { status: 404, body: { error: `No control route ${route}` } };
    }
  } catch (error) {
    return { status: 400, body: { error: (error as Error).message } };
  }
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function recordedProvider(value: string | null): RecordedProvider | undefined {
  if (value === null || value === '') return undefined;
  if (!RECORDED_PROVIDERS.includes(value as RecordedProvider)) throw new Error(`Unknown provider: ${value}`);
  return value as RecordedProvider;
}

function optionalLimit(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0) throw new Error('limit must be a non-negative integer');
  return limit;
}
