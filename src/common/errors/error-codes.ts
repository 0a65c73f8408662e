/**
 * Every error code the API answers with, and its HTTP status. Services throw `PushServerError` with a code from this
 * table; the exception filter is the only place that turns a code into a status.
 */
export const ERROR_HTTP_STATUS = {
  /** Business rule or hand-validated input (the original's PushServerException). */
  ERROR_GENERIC: 400,
  /** Input that fails validation: wrong type, blank, too long, malformed JSON. Carries `violations`. */
  ERROR_REQUEST: 400,
  /** The PowerAuth Server could not be reached or refused the call. */
  ERROR_PA_SERVER_COMM: 400,
  ERROR_APP_NOT_FOUND: 400,
  ERROR_MESSAGE_NOT_FOUND: 400,
  /** No credentials, or credentials that do not name an active API client. Sent with WWW-Authenticate. */
  ERROR_UNAUTHORIZED: 401,
  /** An API client without the route's scope, or restricted to other apps. */
  ERROR_FORBIDDEN: 403,
  ERROR_NOT_FOUND: 404,
  ERROR_METHOD_NOT_ALLOWED: 405,
  ERROR_DATA_INTEGRITY: 409,
  ERROR_PAYLOAD_TOO_LARGE: 413,
  /** A compressed request body (Content-Encoding other than identity). */
  ERROR_UNSUPPORTED_MEDIA_TYPE: 415,
  /** Too many requests (or failed authentications) for now. Sent with Retry-After. */
  ERROR_RATE_LIMITED: 429,
  ERROR_DATABASE: 500,
  ERROR_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;
