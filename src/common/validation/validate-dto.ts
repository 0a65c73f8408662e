import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { PushServerError, Violation } from '../errors/push-server.error';
import { isSecretField } from './constraints';
import { cacheValidationMetadata } from './validation-metadata-cache';

cacheValidationMetadata();

type DtoClass<T> = new () => T;

const MAX_ECHOED_LENGTH = 200;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/**
 * Deepest nesting of a JSON body, counted from its root as Jackson does: the original refuses deeper documents
 * (StreamReadConstraints' default since 2.15). Much deeper input would overflow class-transformer's recursion.
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
  const clean = withoutForbiddenKeys(value, rootDepth, fieldPrefix || 'body');
  const instance = plainToInstance(dtoClass, clean as object);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: false,
  });
  if (errors.length > 0) throw PushServerError.invalidRequest(toViolations(errors, fieldPrefix));
  return instance;
}

function toViolations(errors: ValidationError[], prefix: string): Violation[] {
  const violations: Violation[] = [];
  for (const error of errors) {
    const fieldName = joinPath(prefix, error.property);
    // Our own shape hint says more than class-validator's generic nested one.
    const constraints = Object.entries(error.constraints ?? {});
    const own = constraints.filter(([name]) => name !== 'nestedValidation');
    const hints = (own.length > 0 ? own : constraints).map(([, hint]) => hint);
    if (hints.length > 0) {
      const secret = error.target
        ? isSecretField(Object.getPrototypeOf(error.target), error.property)
        : false;
      violations.push({ fieldName, invalidValue: secret ? undefined : echo(error.value), hint: hints[0] });
    }
    if (error.children?.length) violations.push(...toViolations(error.children, fieldName));
  }
  return violations;
}

function joinPath(prefix: string, property: string): string {
  if (/^\d+$/.test(property)) return `${prefix}[${property}]`;
  return prefix ? `${prefix}.${property}` : property;
}

/** Scalars only, and bounded: a violation must not echo a megabyte back. */
export function echo(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_ECHOED_LENGTH ? `${value.slice(0, MAX_ECHOED_LENGTH)}…` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
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
  for (const [key, item] of Object.entries(value)) {
    if (!FORBIDDEN_KEYS.has(key)) out[key] = withoutForbiddenKeys(item, depth + 1, fieldName);
  }
  return out;
}
