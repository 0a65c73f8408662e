import { randomBytes } from 'node:crypto';
import { FCM_TOKEN_LIFETIME_SECONDS } from './credential-store';
import { decodeJwt, verifyJwtSignature } from './jwt-verifier';
import { bearerToken, HandlerContext, ProviderRequest, Reply, retryAfterHeader } from './provider-exchange';

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Either scope lets a service account send FCM messages. */
const FCM_SCOPES = [
  'https://www.googleapis.com/auth/firebase.messaging',
  'https://www.googleapis.com/auth/cloud-platform',
];
const MAX_ASSERTION_LIFETIME_SECONDS = 3600;
const CLOCK_SKEW_SECONDS = 60;
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const AUTH_HINT =
  'Expected OAuth 2 access token, login cookie or other valid authentication credential. ' +
  'See https://developers.google.com/identity/sign-in/web/devconsole-project.';
/** FCM's own default when it throttles: back off at least this long. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

let messageCounter = 0;
const messageSuffix = randomBytes(8).toString('hex');

/**
 * Google's OAuth 2.0 token endpoint for service accounts ("Authorize send requests"): a JWT-bearer grant signed
 * RS256 with the service account's key, answered with a short-lived access token.
 */
export function handleFcmToken(request: ProviderRequest, context: HandlerContext): Reply {
  if (request.method !== 'POST') return oauthError(405, 'invalid_request', 'Method not allowed.');
  const form = request.body as Record<string, string>;
  if (form.grant_type !== JWT_BEARER_GRANT) {
    return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${form.grant_type ?? ''}`);
  }
  if (!form.assertion) return oauthError(400, 'invalid_request', 'Missing required parameter: assertion');
  const jwt = decodeJwt(form.assertion);
  if (!jwt) return oauthError(400, 'invalid_grant', 'Invalid JWT: Token could not be parsed.');
  const { iss, scope, aud, iat, exp } = jwt.claims;
  const account = typeof iss === 'string' ? context.credentials.fcmAccount(iss) : undefined;
  if (!account) return oauthError(400, 'invalid_grant', 'Invalid grant: account not found');
  if (jwt.header.alg !== 'RS256' || !verifyJwtSignature(jwt, 'RS256', account.key)) {
    return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
  }
  if (typeof aud !== 'string' || !context.fcmAudiences.has(aud)) {
    const expected = [...context.fcmAudiences][0];
    return oauthError(
      400,
      'invalid_grant',
      `Invalid JWT: Failed audience check. The right audience is ${expected}`,
    );
  }
  const now = Math.floor(request.now / 1000);
  if (
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    exp <= iat ||
    exp - iat > MAX_ASSERTION_LIFETIME_SECONDS ||
    iat > now + CLOCK_SKEW_SECONDS ||
    exp < now - CLOCK_SKEW_SECONDS
  ) {
    return oauthError(
      400,
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. ' +
        'Check your iat and exp values in the JWT claim.',
    );
  }
  const scopes = typeof scope === 'string' ? scope.split(' ') : [];
  if (!FCM_SCOPES.some((wanted) => scopes.includes(wanted))) {
    return oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
  }
  return {
    status: 200,
    headers: { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' },
    body: {
      access_token: context.credentials.issueFcmToken(iss as string, account.projectId, request.now),
      expires_in: FCM_TOKEN_LIFETIME_SECONDS,
      token_type: 'Bearer',
    },
  };
}

/** `POST /v1/projects/{projectId}/messages:send` with FCM's error model ("messages.send", "FcmError"). */
export function handleFcmSend(request: ProviderRequest, context: HandlerContext): Reply {
  if (request.method !== 'POST') return googleError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
  const projectId = request.params[0] ?? '';
  const accessToken = bearerToken(request);
  if (accessToken === undefined) {
    return googleError(
      401,
      'UNAUTHENTICATED',
      `Request is missing required authentication credential. ${AUTH_HINT}`,
    );
  }
  const issued = accessToken ? context.credentials.fcmToken(accessToken, request.now) : undefined;
  if (!issued) {
    return googleError(
      401,
      'UNAUTHENTICATED',
      `Request had invalid authentication credentials. ${AUTH_HINT}`,
    );
  }
  if (issued.projectId !== projectId) return senderIdMismatch();

  const body = request.body;
  if (typeof body !== 'object' || body === null) {
    return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
  }
  const message = (body as { message?: unknown }).message;
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
      fcmError('INVALID_ARGUMENT'),
    ]);
  }
  const { token, topic, condition, data, android } = message as Record<string, unknown>;
  const hasToken = typeof token === 'string' && token !== '';
  if (!hasToken && typeof topic !== 'string' && typeof condition !== 'string') {
    const description = 'Recipient of the message is not set.';
    return googleError(400, 'INVALID_ARGUMENT', description, [
      fcmError('INVALID_ARGUMENT'),
      badRequest('message', description),
    ]);
  }
  // FCM's data maps are map<string, string>: any other value fails the request's proto parsing.
  const invalidData =
    invalidDataValue(data, 'message.data') ??
    invalidDataValue((android as { data?: unknown })?.data, 'message.android.data');
  if (invalidData)
    return googleError(400, 'INVALID_ARGUMENT', invalidData.description, [
      badRequest(invalidData.field, invalidData.description),
    ]);

  const behaviour = hasToken
    ? context.behaviours.resolve('fcm', token as string)
    : ({ kind: 'success' } as const);
  switch (behaviour.kind) {
    case 'unregistered':
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.', [fcmError('UNREGISTERED')]);
    case 'bad-token':
      return googleError(
        400,
        'INVALID_ARGUMENT',
        'The registration token is not a valid FCM registration token',
        [fcmError('INVALID_ARGUMENT'), badRequest('message.token', 'Invalid registration token')],
      );
    case 'credential-error':
      return senderIdMismatch();
    case 'rate-limit':
      return {
        ...googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.', [fcmError('QUOTA_EXCEEDED')]),
        headers: retryAfterHeader(behaviour.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS),
      };
    case 'unavailable':
      return {
        ...googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', [
          fcmError('UNAVAILABLE'),
        ]),
        headers: retryAfterHeader(behaviour.retryAfterSeconds),
      };
    case 'slow':
      return { ...sent(projectId), delayMs: behaviour.delayMs };
    default:
      return sent(projectId);
  }
}

function sent(projectId: string): Reply {
  messageCounter = (messageCounter + 1) % 1_000_000;
  const id = `0:${Date.now()}${String(messageCounter).padStart(6, '0')}%${messageSuffix}`;
  return { status: 200, body: { name: `projects/${projectId}/messages/${id}` } };
}

function senderIdMismatch(): Reply {
  return googleError(403, 'PERMISSION_DENIED', 'SenderId mismatch', [fcmError('SENDER_ID_MISMATCH')]);
}

function invalidDataValue(data: unknown, path: string): { field: string; description: string } | undefined {
  if (data === undefined || data === null) return undefined;
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {
      field: path,
      description: `Invalid value at '${path}' (type.googleapis.com/google.protobuf.Map), ${JSON.stringify(data)}`,
    };
  }
  const entries = Object.entries(data as Record<string, unknown>);
  for (let index = 0; index < entries.length; index++) {
    const value = entries[index][1];
    if (typeof value !== 'string') {
      const field = `${path}[${index}].value`;
      return { field, description: `Invalid value at '${field}' (TYPE_STRING), ${JSON.stringify(value)}` };
    }
  }
  return undefined;
}

function googleError(code: number, status: string, message: string, details?: unknown[]): Reply {
  return { status: code, body: { error: { code, message, status, ...(details ? { details } : {}) } } };
}

function fcmError(errorCode: string) {
  return { '@type': FCM_ERROR, errorCode };
}

function badRequest(field: string, description: string) {
  return { '@type': BAD_REQUEST, fieldViolations: [{ field, description }] };
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } };
}
