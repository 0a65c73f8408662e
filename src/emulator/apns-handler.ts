import { randomUUID } from 'node:crypto';
import {
  bearerToken,
  HandlerContext,
  headerValue,
  ProviderRequest,
  Reply,
  retryAfterHeader,
} from './provider-exchange';

/** Apple's documented `apns-push-type` values. */
const PUSH_TYPES = new Set([
  'alert',
  'background',
  'location',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
  'widgets',
  'controls',
]);
/** 10 immediately, 5 power-aware, 1 power-first (Apple added 1 in 2022). */
const PRIORITIES = new Set(['10', '5', '1']);
const MAX_PAYLOAD_BYTES = 4096;
const MAX_VOIP_PAYLOAD_BYTES = 5120;
const MAX_COLLAPSE_ID_BYTES = 64;
/** A provider token is good for an hour; `iat` may run a little ahead of our clock. */
const TOKEN_MAX_AGE_SECONDS = 3600;
const CLOCK_SKEW_SECONDS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]+$/i;

/**
 * `POST /3/device/<token>` as Apple's "Sending notification requests to APNs" describes it: token-based
 * authentication (ES256 provider JWT), header checks, a JSON payload with `aps`, and the documented reasons.
 */
export function handleApnsSend(request: ProviderRequest, context: HandlerContext): Reply {
  // APNs speaks HTTP/2 only; a real HTTP/1.1 client would not get past ALPN.
  if (request.httpVersion !== '2.0') {
    return { status: 505, headers: { 'content-type': 'text/plain' }, body: 'APNs requires HTTP/2\n' };
  }
  const requestedId = headerValue(request, 'apns-id');
  const apnsId = requestedId && UUID.test(requestedId) ? requestedId : randomUUID();
  const reply = (
    status: number,
    body?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Reply => ({
    status,
    headers: { 'apns-id': apnsId, ...headers },
    body,
  });
  const reject = (status: number, reason: string) => reply(status, { reason });

  if (request.method !== 'POST') return reject(405, 'MethodNotAllowed');
  const deviceToken = request.params[0];
  if (deviceToken === undefined) return reject(404, 'BadPath');
  if (deviceToken === '') return reject(400, 'MissingDeviceToken');

  const jwt = bearerToken(request);
  if (jwt === undefined) return reject(403, 'MissingProviderToken');
  const check = jwt ? context.credentials.checkApnsToken(jwt) : { valid: false as const };
  if (!check.valid) return reject(403, 'InvalidProviderToken');
  const nowSeconds = Math.floor(request.now / 1000);
  if (check.issuedAt > nowSeconds + CLOCK_SKEW_SECONDS) return reject(403, 'InvalidProviderToken');
  if (nowSeconds - check.issuedAt > TOKEN_MAX_AGE_SECONDS) return reject(403, 'ExpiredProviderToken');

  if (requestedId !== undefined && !UUID.test(requestedId)) return reject(400, 'BadMessageId');
  if (!headerValue(request, 'apns-topic')) return reject(400, 'MissingTopic');
  const pushType = headerValue(request, 'apns-push-type');
  if (pushType !== undefined && !PUSH_TYPES.has(pushType)) return reject(400, 'InvalidPushType');
  const priority = headerValue(request, 'apns-priority');
  if (priority !== undefined && !PRIORITIES.has(priority)) return reject(400, 'BadPriority');
  // Apple: background notifications must have priority 5; an omitted priority means 10.
  if (pushType === 'background' && (priority ?? '10') !== '5') return reject(400, 'BadPriority');
  const expiration = headerValue(request, 'apns-expiration');
  if (expiration !== undefined && !/^\d+$/.test(expiration)) return reject(400, 'BadExpirationDate');
  const collapseId = headerValue(request, 'apns-collapse-id');
  if (collapseId !== undefined && Buffer.byteLength(collapseId) > MAX_COLLAPSE_ID_BYTES) {
    return reject(400, 'BadCollapseId');
  }
  if (!HEX.test(deviceToken)) return reject(400, 'BadDeviceToken');

  if (request.rawBody.length === 0) return reject(400, 'PayloadEmpty');
  const maxBytes = pushType === 'voip' ? MAX_VOIP_PAYLOAD_BYTES : MAX_PAYLOAD_BYTES;
  if (request.rawBody.length > maxBytes) return reject(413, 'PayloadTooLarge');
  const aps = (request.body as { aps?: unknown } | null)?.aps;
  // Apple has no reason for malformed JSON; a payload without an `aps` dictionary carries nothing to deliver.
  if (typeof request.body !== 'object' || !aps || typeof aps !== 'object' || Array.isArray(aps)) {
    return reject(400, 'PayloadEmpty');
  }

  const behaviour = context.behaviours.resolve('apns', deviceToken);
  switch (behaviour.kind) {
    case 'success':
      return reply(200);
    case 'slow':
      return { ...reply(200), delayMs: behaviour.delayMs };
    case 'unregistered':
      return reply(410, { reason: 'Unregistered', timestamp: request.now });
    case 'bad-token':
      return reject(400, 'BadDeviceToken');
    case 'credential-error':
      return reject(403, 'InvalidProviderToken');
    case 'rate-limit':
      return reply(429, { reason: 'TooManyRequests' }, retryAfterHeader(behaviour.retryAfterSeconds));
    case 'unavailable':
      return reply(503, { reason: 'ServiceUnavailable' }, retryAfterHeader(behaviour.retryAfterSeconds));
    default:
      return reply(200);
  }
}
