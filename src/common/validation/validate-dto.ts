import { PushServerError } from '../errors/push-server.error';
import { DtoClass, echo, instantiate, violationsOf } from './field-rules';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/**
 * Deepest nesting of a JSON body, counted from its root as Jackson does: the original refuses deeper documents
 * (StreamReadConstraints' default since 2.15). Much deeper input would overflow the validator's recursion.
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * Turns a parsed JSON value into a validated DTO instance, or throws 400 ERROR_REQUEST with one violation per bad
 * field. Unknown properties are dropped, as Jackson ignores them.
 */
export function validateDto<T extends object>(dtoClass: DtoClass<T>, value: unknown, fieldPrefix: string): T {
  if (value === null || value === undefined) {
    throw PushServerError.invalidRequest([{ fieldName: fieldPrefix || 'body', hint: 'must not be null' }]);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw PushServerError.invalidRequest([
      { fieldName: fieldPrefix || 'body', invalidValue: echo(value), hint: 'must be a JSON object' },
    ]);
  }
  // The envelope's requestObject sits one level below the body's root.
  const rootDepth = fieldPrefix ? 2 : 1;
  const clean = withoutForbiddenKeys(value, rootDepth, fieldPrefix || 'body') as Record<string, unknown>;
  const instance = instantiate(dtoClass, clean);
  const violations = violationsOf(instance, fieldPrefix);
  if (violations.length > 0) throw PushServerError.invalidRequest(violations);
  return instance;
}

/** A copy without prototype-polluting keys at any level; deeper than MAX_JSON_DEPTH is a violation. */
function withoutForbiddenKeys(value: unknown, depth: number, fieldName: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_JSON_DEPTH) {
    throw PushServerError.invalidRequest([
      { fieldName, hint: `must not be nested more than ${MAX_JSON_DEPTH} levels deep` },
    ]);
  }
  if (Array.isArray(value)) return value.map((item) => withoutForbiddenKeys(item, depth + 1, fieldName));
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key) || FORBIDDEN_KEYS.has(key)) continue;
    out[key] = withoutForbiddenKeys((value as Record<string, unknown>)[key], depth + 1, fieldName);
  }
  return out;
}
