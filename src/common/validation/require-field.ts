import { PushServerError } from '../errors/push-server.error';

/**
 * Hand-written checks of the original's non-`@Valid` endpoints: they answer 400 ERROR_GENERIC with a fixed message
 * that clients compare against, so the message is the caller's.
 */
export function requirePresent<T>(value: T | null | undefined, message: string): T {
  if (value === null || value === undefined) throw PushServerError.generic(message);
  return value;
}

export function requireNotBlank(value: string | null | undefined, message: string): string {
  if (value === null || value === undefined || value.trim() === '') throw PushServerError.generic(message);
  return value;
}
