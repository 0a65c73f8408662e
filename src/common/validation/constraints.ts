import { addFieldRule } from './field-rules';

/**
 * Field constraints whose hints read like the original's Bean Validation messages ("must not be blank",
 * "size must be between 8 and 255"), one hint per field, so a violation list stays short and exact. They register
 * with field-rules.ts, which validateDto runs.
 */

function rule(hintFor: (value: unknown) => string | undefined): PropertyDecorator {
  return (target, property) => addFieldRule(target, String(property), { check: hintFor });
}

/**
 * PostgreSQL's text types cannot hold U+0000 (the query fails); no identifier or message needs it, so it is refused
 * on every dialect alike.
 */
export const NUL_HINT = 'must not contain the NUL character';
export const hasNul = (value: string) => value.includes('\u0000');

function sizeHint(min: number | undefined, max: number | undefined): string {
  return `size must be between ${min ?? 0} and ${max ?? 2147483647}`;
}

export interface TextOptions {
  /** null, empty or whitespace-only is rejected ("must not be blank"). */
  notBlank?: boolean;
  /** null is rejected ("must not be null"); an empty string is allowed. */
  notNull?: boolean;
  min?: number;
  max: number;
  pattern?: RegExp;
  /** Never echo the value back in a violation. */
  secret?: boolean;
}

/** A string field. Absent values pass unless `notBlank` or `notNull` is set. */
export function Text(options: TextOptions): PropertyDecorator {
  const check = rule((value) => {
    if (value === null || value === undefined) {
      if (options.notBlank) return 'must not be blank';
      if (options.notNull) return 'must not be null';
      return undefined;
    }
    if (typeof value !== 'string') return 'must be a string';
    if (options.notBlank && value.trim() === '') return 'must not be blank';
    if (value.length > options.max || (options.min !== undefined && value.length < options.min)) {
      return sizeHint(options.min, options.max);
    }
    if (hasNul(value)) return NUL_HINT;
    if (options.pattern && !options.pattern.test(value)) return `must match "${options.pattern.source}"`;
    return undefined;
  });
  return (target, property) => {
    if (options.secret) addFieldRule(target, String(property), { secret: true });
    check(target, property);
  };
}

/** One of a fixed set of string values. `caseInsensitive` lower-cases the input first and stores it lower-cased. */
export function OneOf(
  values: readonly string[],
  options: { notNull?: boolean; caseInsensitive?: boolean } = {},
): PropertyDecorator {
  const check = rule((value) => {
    if (value === null || value === undefined) return options.notNull ? 'must not be null' : undefined;
    if (typeof value !== 'string' || !values.includes(value)) return `must be one of: ${values.join(', ')}`;
    return undefined;
  });
  return (target, property) => {
    if (options.caseInsensitive) {
      addFieldRule(target, String(property), {
        transform: (value) => (typeof value === 'string' ? value.toLowerCase() : value),
      });
    }
    check(target, property);
  };
}

export function Bool(options: { notNull?: boolean } = {}): PropertyDecorator {
  return rule((value) => {
    if (value === null || value === undefined) return options.notNull ? 'must not be null' : undefined;
    return typeof value === 'boolean' ? undefined : 'must be a boolean';
  });
}

export function Int(options: { min?: number; max?: number; notNull?: boolean } = {}): PropertyDecorator {
  return rule((value) => {
    if (value === null || value === undefined) return options.notNull ? 'must not be null' : undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number';
    if (options.min !== undefined && value < options.min)
      return `must be greater than or equal to ${options.min}`;
    if (options.max !== undefined && value > options.max)
      return `must be less than or equal to ${options.max}`;
    return undefined;
  });
}

export interface TextListOptions {
  notNull?: boolean;
  notEmpty?: boolean;
  maxItems: number;
  itemMax: number;
  itemPattern?: RegExp;
}

/** An array of strings. */
export function TextList(options: TextListOptions): PropertyDecorator {
  return rule((value) => {
    if (value === null || value === undefined) {
      if (options.notEmpty) return 'must not be empty';
      return options.notNull ? 'must not be null' : undefined;
    }
    if (!Array.isArray(value)) return 'must be an array of strings';
    if (options.notEmpty && value.length === 0) return 'must not be empty';
    if (value.length > options.maxItems) return sizeHint(options.notEmpty ? 1 : 0, options.maxItems);
    for (const item of value) {
      if (typeof item !== 'string') return 'must be an array of strings';
      if (item.length > options.itemMax) return `each item: ${sizeHint(0, options.itemMax)}`;
      if (hasNul(item)) return `each item: ${NUL_HINT}`;
      if (options.itemPattern && !options.itemPattern.test(item)) {
        return `each item must match "${options.itemPattern.source}"`;
      }
    }
    return undefined;
  });
}

/** A nested JSON object (or, with `list`, an array of them) validated against its own DTO class. */
export function Nested(
  type: () => new () => object,
  options: { notNull?: boolean; list?: boolean; maxItems?: number } = {},
): PropertyDecorator {
  const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  const shape = rule((value) => {
    if (value === null || value === undefined) return options.notNull ? 'must not be null' : undefined;
    if (!options.list) return isObject(value) ? undefined : 'must be a JSON object';
    if (!Array.isArray(value) || !value.every(isObject)) return 'must be an array of JSON objects';
    if (options.maxItems !== undefined && value.length > options.maxItems)
      return sizeHint(0, options.maxItems);
    return undefined;
  });
  return (target, property) => {
    // An optional null is as good as absent.
    if (!options.notNull) addFieldRule(target, String(property), { skipWhenAbsent: true });
    shape(target, property);
    addFieldRule(target, String(property), { nested: { type, list: options.list ?? false } });
  };
}

/** Changes a field's value before it is checked (`a,b` → `['a', 'b']`); several apply in the order written. */
export function Transformed(transform: (value: unknown) => unknown): PropertyDecorator {
  return (target, property) => addFieldRule(target, String(property), { transform });
}

/** A JSON object of free-form values (push `extras`). */
export function FreeObject(): PropertyDecorator {
  return rule((value) => {
    if (value === null || value === undefined) return undefined;
    return typeof value === 'object' && !Array.isArray(value) ? undefined : 'must be a JSON object';
  });
}

/** A whole number sent as a query-string value (`?page=2`); a repeated parameter or any non-digit is rejected. */
export function QueryInt(options: { min?: number; max?: number }): PropertyDecorator {
  return rule((value) => {
    if (value === null || value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || !/^-?\d{1,10}$/.test(value)) return 'must be a whole number';
    const number = Number(value);
    if (options.min !== undefined && number < options.min)
      return `must be greater than or equal to ${options.min}`;
    if (options.max !== undefined && number > options.max)
      return `must be less than or equal to ${options.max}`;
    return undefined;
  });
}

/** A boolean sent as a query-string value (`?all=true`): `true` or `false` in any case; empty counts as absent. */
export function QueryBool(): PropertyDecorator {
  return rule((value) => {
    if (value === null || value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || !/^(true|false)$/i.test(value)) return 'must be true or false';
    return undefined;
  });
}

/** The value of a validated QueryBool field, or `fallback` when it was absent or empty. */
export function queryBoolValue(value: string | null | undefined, fallback: boolean): boolean {
  if (value === null || value === undefined || value === '') return fallback;
  return value.toLowerCase() === 'true';
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const EARLIEST_DATE_TIME = Date.UTC(1970, 0, 1);
const LATEST_DATE_TIME = Date.UTC(9999, 0, 1);

/** An ISO 8601 date (midnight UTC) or date-time with its time zone; undefined for anything else. */
function parseDateTime(value: string): Date | undefined {
  const match = DATE_TIME.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  const realDay =
    calendarDay.getUTCFullYear() === year &&
    calendarDay.getUTCMonth() === month - 1 &&
    calendarDay.getUTCDate() === day;
  if (!realDay || hour > 23 || minute > 59 || second > 59) return undefined;
  const time = Date.parse(match[4] === undefined ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time) || time < EARLIEST_DATE_TIME || time >= LATEST_DATE_TIME) return undefined;
  return new Date(time);
}

/**
 * A point in time sent as a query-string value: `2025-01-31` (midnight UTC) or `2025-01-31T12:00:00Z` /
 * `…+01:00` (a time needs its zone: the server's own would be a guess). Empty counts as absent.
 */
export function QueryDateTime(): PropertyDecorator {
  return rule((value) => {
    if (value === null || value === undefined || value === '') return undefined;
    if (typeof value === 'string' && parseDateTime(value)) return undefined;
    return 'must be an ISO 8601 date or date-time with a time zone, e.g. 2025-01-31 or 2025-01-31T12:00:00Z';
  });
}

/** The instant of a validated QueryDateTime field, or undefined when it was absent or empty. */
export function queryDateTimeValue(value: string | null | undefined): Date | undefined {
  return value === null || value === undefined || value === '' ? undefined : parseDateTime(value);
}
