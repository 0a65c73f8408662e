import { classifyFcmResponse } from '../../src/providers/fcm/fcm-response.classifier';

const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const TOKEN = 'fcm-device-token-0123456789abcdef';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return classifyFcmResponse(
    { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) },
    TOKEN,
  );
}

function googleError(
  code: number,
  status: string,
  message: string,
  errorCode?: string,
  extra: unknown[] = [],
) {
  const details = [...(errorCode ? [{ '@type': FCM_ERROR, errorCode }] : []), ...extra];
  return { error: { code, message, status, details } };
}

describe('classifyFcmResponse', () => {
  it('delivers a 200 with a message name, fails any other 200', () => {
    expect(answer(200, { name: 'projects/p/messages/0:123%abc' })).toEqual({
      status: 'delivered',
      providerMessageId: 'projects/p/messages/0:123%abc',
    });
    expect(answer(200, { name: 'messages/123' })).toEqual({
      status: 'failed',
      reason: 'FCM 200 without a message name',
    });
    expect(answer(200, 'not json').status).toBe('failed');
  });

  it('treats UNREGISTERED and 404 as an invalid token', () => {
    expect(
      answer(404, googleError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED')),
    ).toEqual({
      status: 'invalid-token',
      reason: 'FCM 404 UNREGISTERED',
    });
    expect(answer(400, googleError(400, 'INVALID_ARGUMENT', 'x', 'UNREGISTERED')).status).toBe(
      'invalid-token',
    );
    expect(answer(404, googleError(404, 'NOT_FOUND', 'Requested entity was not found.'))).toEqual({
      status: 'invalid-token',
      reason: 'FCM 404 NOT_FOUND',
    });
    // Not FCM's own answer (a wrong FCM_URL): the device is kept.
    expect(answer(404, '<html>Not Found</html>')).toEqual({ status: 'failed', reason: 'FCM 404' });
  });

  it('removes the device only for an INVALID_ARGUMENT about the token', () => {
    const violation = {
      '@type': BAD_REQUEST,
      fieldViolations: [{ field: 'message.token', description: 'bad' }],
    };
    expect(
      answer(400, googleError(400, 'INVALID_ARGUMENT', 'Invalid', 'INVALID_ARGUMENT', [violation])),
    ).toEqual({
      status: 'invalid-token',
      reason: 'FCM 400 INVALID_ARGUMENT',
    });
    expect(
      answer(
        400,
        googleError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token'),
      ).status,
    ).toBe('invalid-token');

    const otherField = {
      '@type': BAD_REQUEST,
      fieldViolations: [{ field: 'message.android.ttl', description: 'bad' }],
    };
    expect(
      answer(
        400,
        googleError(400, 'INVALID_ARGUMENT', `Invalid value for ${TOKEN}`, 'INVALID_ARGUMENT', [otherField]),
      ),
    ).toEqual({ status: 'failed', reason: 'FCM 400 INVALID_ARGUMENT: Invalid value for …abcdef' });
  });

  it('flags the app for auth and sender errors', () => {
    const credentials = (status: number, body: unknown) => answer(status, body);
    expect(
      credentials(403, googleError(403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH')),
    ).toEqual({ status: 'failed', reason: 'FCM 403 SENDER_ID_MISMATCH', credentialsFailing: true });
    expect(credentials(401, googleError(401, 'UNAUTHENTICATED', 'x', 'THIRD_PARTY_AUTH_ERROR'))).toEqual({
      status: 'failed',
      reason: 'FCM 401 THIRD_PARTY_AUTH_ERROR',
      credentialsFailing: true,
    });
    expect(credentials(400, googleError(400, 'INVALID_ARGUMENT', 'x', 'APNS_AUTH_ERROR'))).toMatchObject({
      credentialsFailing: true,
    });
    expect(credentials(401, googleError(401, 'UNAUTHENTICATED', 'x'))).toMatchObject({
      credentialsFailing: true,
    });
    expect(credentials(403, '')).toEqual({ status: 'failed', reason: 'FCM 403', credentialsFailing: true });
  });

  it('retries quota and server errors with Retry-After', () => {
    expect(
      answer(429, googleError(429, 'RESOURCE_EXHAUSTED', 'Quota', 'QUOTA_EXCEEDED'), { 'retry-after': '7' }),
    ).toEqual({ status: 'retryable', reason: 'FCM 429 QUOTA_EXCEEDED', retryAfterMs: 7000 });
    expect(answer(503, googleError(503, 'UNAVAILABLE', 'x', 'UNAVAILABLE'))).toEqual({
      status: 'retryable',
      reason: 'FCM 503 UNAVAILABLE',
      retryAfterMs: undefined,
    });
    expect(answer(500, googleError(500, 'INTERNAL', 'x', 'INTERNAL')).status).toBe('retryable');
    expect(answer(502, '<html>').status).toBe('retryable');
  });

  it('fails anything else', () => {
    expect(answer(400, googleError(400, 'FAILED_PRECONDITION', 'x'))).toEqual({
      status: 'failed',
      reason: 'FCM 400 FAILED_PRECONDITION: x',
    });
    expect(answer(409, '')).toEqual({ status: 'failed', reason: 'FCM 409' });
  });
});
