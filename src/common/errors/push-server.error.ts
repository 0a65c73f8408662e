import { ErrorCode } from './error-codes';

export interface Violation {
  fieldName: string;
  invalidValue?: unknown;
  hint: string;
}

/** A domain error with a stable code. Its message is part of the API: clients log and compare it. */
export class PushServerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly violations?: Violation[],
    /** Response headers that belong to the answer (WWW-Authenticate, Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'PushServerError';
  }

  static generic(message: string): PushServerError {
    return new PushServerError('ERROR_GENERIC', message);
  }

  static invalidRequest(
    violations: Violation[],
    message = 'Invalid method parameter value',
  ): PushServerError {
    return new PushServerError('ERROR_REQUEST', message, violations);
  }
}
