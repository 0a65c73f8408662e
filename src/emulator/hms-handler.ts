import { HMS_TOKEN_LIFETIME_SECONDS } from './credential-store';
import { ResolvedBehaviour } from './emulator.types';
import { bearerToken, HandlerContext, ProviderRequest, Reply, retryAfterHeader } from './provider-exchange';

const MAX_TOKENS = 1000;
/** Huawei's limit on the message itself (the token list does not count). */
const MAX_MESSAGE_BYTES = 4096;

let requestCounter = 0;

/**
 * Huawei OAuth 2.0 client-credentials grant (`/oauth2/v3/token`, "OAuth 2.0-based Authentication"). Errors use the
 * Huawei account server's numeric shape.
 */
export function handleHmsToken(request: ProviderRequest, context: HandlerContext): Reply {
  if (request.method !== 'POST') return oauthError(405, 'method not allowed');
  const form = request.body as Record<string, string>;
  if (form.grant_type !== 'client_credentials') return oauthError(400, 'unsupported grant_type');
  if (!form.client_id || !form.client_secret) return oauthError(400, 'missing client_id or client_secret');
  if (!context.credentials.hmsClientMatches(form.client_id, form.client_secret)) {
    return oauthError(400, 'invalid client');
  }
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: {
      access_token: context.credentials.issueHmsToken(form.client_id, request.now),
      expires_in: HMS_TOKEN_LIFETIME_SECONDS,
      token_type: 'Bearer',
    },
  };
}

/** `POST /v2/{projectId}/messages:send` (also v1 by app ID) with Push Kit's result codes. */
export function handleHmsSend(request: ProviderRequest, context: HandlerContext): Reply {
  const requestId = nextRequestId(request.now);
  const answer = (status: number, code: string, msg: string, headers?: Record<string, string>): Reply => ({
    status,
    headers,
    body: { code, msg, requestId },
  });
  if (request.method !== 'POST') return answer(405, '80100001', 'Method not allowed');
  const accessToken = bearerToken(request);
  if (!accessToken) return answer(401, '80200001', 'Oauth authentication error');
  if (!context.credentials.hmsToken(accessToken, request.now))
    return answer(401, '80200003', 'OAuth token expired.');

  const message = (request.body as { message?: unknown } | null)?.message;
  if (
    typeof request.body !== 'object' ||
    typeof message !== 'object' ||
    message === null ||
    Array.isArray(message)
  ) {
    return answer(400, '80100003', 'Incorrect message structure');
  }
  const { token: tokens, data, ...rest } = message as Record<string, unknown>;
  if (
    !Array.isArray(tokens) ||
    tokens.length === 0 ||
    tokens.length > MAX_TOKENS ||
    !tokens.every((token) => typeof token === 'string' && token !== '')
  ) {
    return answer(400, '80300010', 'The number of tokens in the message body exceeds the default value');
  }
  // Push Kit's `data` is a string (usually JSON text), unlike FCM's map.
  if (data !== undefined && typeof data !== 'string')
    return answer(400, '80100003', 'Incorrect message structure');
  if (request.rawBody.length > MAX_MESSAGE_BYTES && messageBytes(data, rest) > MAX_MESSAGE_BYTES) {
    return answer(413, '80300008', 'The message body size exceeds the default value');
  }

  const deviceTokens = tokens as string[];
  const behaviours = context.behaviours.resolveAll('hms', deviceTokens);
  const requestLevel = firstRequestLevel(behaviours);
  switch (requestLevel?.kind) {
    case 'hms-token-expired':
      return answer(401, '80200003', 'OAuth token expired.');
    case 'credential-error':
      return answer(401, '80200001', 'Oauth authentication error');
    case 'unavailable':
      return answer(503, '81000001', 'System inner error', retryAfterHeader(requestLevel.retryAfterSeconds));
    case 'rate-limit':
      // Push Kit signals flow control with HTTP 503 (its result codes have no flow-control value).
      return answer(503, '81000001', 'Flow control', retryAfterHeader(requestLevel.retryAfterSeconds ?? 1));
  }

  const delayMs = Math.max(
    0,
    ...behaviours.map((behaviour) => (behaviour.kind === 'slow' ? behaviour.delayMs : 0)),
  );
  const illegal = deviceTokens.filter((_, index) => {
    const kind = behaviours[index].kind;
    return kind === 'unregistered' || kind === 'bad-token';
  });
  let reply: Reply;
  if (illegal.length === 0) {
    reply = answer(200, '80000000', 'Success');
  } else if (illegal.length === deviceTokens.length) {
    reply = answer(200, '80300007', 'All the tokens are invalid');
  } else {
    const summary = {
      success: deviceTokens.length - illegal.length,
      failure: illegal.length,
      illegal_tokens: illegal,
    };
    reply = answer(200, '80100000', JSON.stringify(summary));
  }
  return delayMs > 0 ? { ...reply, delayMs } : reply;
}

type RequestLevel = Extract<
  ResolvedBehaviour,
  { kind: 'hms-token-expired' | 'credential-error' | 'unavailable' | 'rate-limit' }
>;

/** A behaviour that fails the whole request, the most fundamental first (auth before availability). */
function firstRequestLevel(behaviours: ResolvedBehaviour[]): RequestLevel | undefined {
  for (const kind of ['hms-token-expired', 'credential-error', 'unavailable', 'rate-limit'] as const) {
    const found = behaviours.find((behaviour) => behaviour.kind === kind);
    if (found) return found as RequestLevel;
  }
  return undefined;
}

function messageBytes(data: unknown, rest: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(rest)) + (typeof data === 'string' ? Buffer.byteLength(data) : 0);
}

/** Push Kit request IDs are long digit strings: milliseconds plus a sequence. */
function nextRequestId(now: number): string {
  requestCounter = (requestCounter + 1) % 100_000_000;
  return `${now}${String(requestCounter).padStart(8, '0')}`;
}

function oauthError(status: number, description: string): Reply {
  return { status, body: { error: 1101, error_description: description } };
}
