import { IncomingHttpHeaders } from 'node:http';
import { maskToken } from '../../common/logging/mask';
import { DeliveryOutcome } from '../push-provider';
import { retryableOutcome } from '../shared/delivery-outcomes';
import { jsonObject } from '../shared/json-body';
import { retryAfterMs } from '../shared/retry-after';

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
const MESSAGE_NAME = /^projects\/.+\/messages\/.+$/;

/** Errors about the sender's own credentials or its link to the device's app: the device is kept. */
const CREDENTIAL_ERROR_CODES = new Set(['SENDER_ID_MISMATCH', 'THIRD_PARTY_AUTH_ERROR', 'APNS_AUTH_ERROR']);
const TEMPORARY_ERROR_CODES = new Set(['QUOTA_EXCEEDED', 'UNAVAILABLE', 'INTERNAL']);
const MAX_DETAIL_LENGTH = 100;

export interface FcmHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface FcmErrorBody {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  details?: unknown;
}

/**
 * One FCM HTTP v1 answer as a delivery outcome (compat notes §4.4, with the pipeline's retries): UNREGISTERED and
 * token-naming INVALID_ARGUMENT remove the device, any other INVALID_ARGUMENT only fails the message, auth and
 * sender errors flag the app, quota and server errors are retried.
 */
export function classifyFcmResponse(response: FcmHttpResponse, token: string): DeliveryOutcome {
  const { status } = response;
  const json = jsonObject(response.body) as { name?: unknown; error?: FcmErrorBody } | undefined;

  if (status === 200) {
    const name = json?.name;
    return typeof name === 'string' && MESSAGE_NAME.test(name)
      ? { status: 'delivered', providerMessageId: name }
      : { status: 'failed', reason: 'FCM 200 without a message name' };
  }

  const error = json && typeof json.error === 'object' && json.error !== null ? json.error : undefined;
  const details = Array.isArray(error?.details) ? (error.details as Record<string, unknown>[]) : [];
  const errorCode = stringField(details.find((detail) => detail?.['@type'] === FCM_ERROR_TYPE)?.errorCode);
  const errorStatus = stringField(error?.status);
  const reason = `FCM ${status} ${errorCode ?? errorStatus ?? ''}`.trim();

  if (errorCode === 'UNREGISTERED') return { status: 'invalid-token', reason };
  if (status === 401 || status === 403 || (errorCode && CREDENTIAL_ERROR_CODES.has(errorCode))) {
    return { status: 'failed', reason, credentialsFailing: true };
  }
  if (
    status === 429 ||
    status >= 500 ||
    (errorCode && TEMPORARY_ERROR_CODES.has(errorCode)) ||
    (errorStatus && TEMPORARY_ERROR_CODES.has(errorStatus))
  ) {
    return retryableOutcome(reason, retryAfterMs(response.headers['retry-after']));
  }
  // A 404 from FCM itself means the token is gone; one without FCM's error body (a wrong FCM_URL, a proxy page)
  // must not remove devices.
  if (status === 404) return error ? { status: 'invalid-token', reason } : { status: 'failed', reason };
  if (errorCode === 'INVALID_ARGUMENT' || errorStatus === 'INVALID_ARGUMENT' || status === 400) {
    if (namesToken(error, details)) return { status: 'invalid-token', reason };
    // Something else in the message is wrong: the device is fine and must be kept.
    const message = stringField(error?.message);
    return { status: 'failed', reason: message ? `${reason}: ${shorten(message, token)}` : reason };
  }
  return { status: 'failed', reason };
}

/** An INVALID_ARGUMENT about the registration token itself (a field violation on message.token, or its text). */
function namesToken(error: FcmErrorBody | undefined, details: Record<string, unknown>[]): boolean {
  const violations = details
    .filter((detail) => detail?.['@type'] === BAD_REQUEST_TYPE && Array.isArray(detail.fieldViolations))
    .flatMap((detail) => detail.fieldViolations as { field?: unknown }[]);
  if (violations.some((violation) => violation?.field === 'message.token')) return true;
  const message = stringField(error?.message);
  return message !== undefined && /registration token/i.test(message);
}

/** FCM's message, short and without the device's token. */
function shorten(message: string, token: string): string {
  const safe = token ? message.split(token).join(maskToken(token)) : message;
  return safe.length > MAX_DETAIL_LENGTH ? `${safe.slice(0, MAX_DETAIL_LENGTH)}…` : safe;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
