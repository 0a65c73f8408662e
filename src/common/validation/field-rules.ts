import type { Violation } from '../errors/push-server.error';

/** A field's check: the hint of what is wrong with `value`, or undefined when it is fine. */
export type Check = (value: unknown) => string | undefined;

export type DtoClass<T = object> = new () => T;

/** What one decorator adds to a field; a field collects the parts of all its decorators. */
export interface FieldRulePart {
  check?: Check;
  /** Skip every check of the field when its value is null or absent. */
  skipWhenAbsent?: boolean;
  /** The field holds an object of this class (or a list of them), validated by the class's own rules. */
  nested?: { type: () => DtoClass; list: boolean };
  /** Changes the value before it is checked (`"Production"` → `"production"`). */
  transform?: (value: unknown) => unknown;
  /** Never echo the value back in a violation. */
  secret?: boolean;
}

interface FieldRules {
  property: string;
  checks: Check[];
  skipWhenAbsent: boolean;
  nested?: { type: () => DtoClass; list: boolean };
  transforms: Array<(value: unknown) => unknown>;
  secret: boolean;
}

/** A class's rules as validation reads them: its own fields, then the inherited ones it does not redeclare. */
interface ClassRules {
  fields: FieldRules[];
  /** Own properties `new Class()` defines that no rule covers: dropped, as unknown input is. */
  undeclared: string[];
}

const MAX_ECHOED_LENGTH = 200;

/** Own fields of each DTO prototype, in the order their decorators ran (the order the class declares them). */
const ownFields = new Map<object, Map<string, FieldRules>>();
let resolved = new Map<DtoClass, ClassRules>();

/** Called by the field decorators (constraints.ts) when a DTO class is defined. */
export function addFieldRule(prototype: object, property: string, part: FieldRulePart): void {
  let fields = ownFields.get(prototype);
  if (!fields) ownFields.set(prototype, (fields = new Map()));
  let field = fields.get(property);
  if (!field) {
    field = { property, checks: [], skipWhenAbsent: false, transforms: [], secret: false };
    fields.set(property, field);
  }
  if (part.check) field.checks.push(part.check);
  if (part.skipWhenAbsent) field.skipWhenAbsent = true;
  if (part.nested) field.nested = part.nested;
  // Decorators run bottom-up; the transforms apply in the order they are written.
  if (part.transform) field.transforms.unshift(part.transform);
  if (part.secret) field.secret = true;
  resolved = new Map();
}

/**
 * Turns a JSON object into an instance of `dtoClass`: declared fields only (unknown input is dropped, as Jackson
 * ignores it), nested objects as instances of their classes, transforms applied. `plain` must be a fresh copy.
 */
export function instantiate<T extends object>(dtoClass: DtoClass<T>, plain: Record<string, unknown>): T {
  const rules = rulesOf(dtoClass);
  const instance = new dtoClass() as Record<string, unknown>;
  for (const property of rules.undeclared) delete instance[property];
  for (const field of rules.fields) {
    if (!Object.prototype.hasOwnProperty.call(plain, field.property)) continue;
    let value = plain[field.property];
    if (field.nested) value = toInstances(field.nested.type(), value);
    for (const transform of field.transforms) value = transform(value);
    instance[field.property] = value;
  }
  return instance as T;
}

/** The violations of an instance made by `instantiate`, each field's first failing check, nested fields after it. */
export function violationsOf(instance: object, prefix: string): Violation[] {
  const violations: Violation[] = [];
  collectViolations(instance, prefix, violations);
  return violations;
}

/** Scalars only, and bounded: a violation must not echo a megabyte back. */
export function echo(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_ECHOED_LENGTH ? `${value.slice(0, MAX_ECHOED_LENGTH)}…` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

function toInstances(type: DtoClass, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => toInstances(type, item));
  if (value !== null && typeof value === 'object') return instantiate(type, value as Record<string, unknown>);
  return value;
}

function collectViolations(instance: object, prefix: string, out: Violation[]): void {
  const rules = rulesOf(instance.constructor as DtoClass);
  for (const field of rules.fields) {
    const value = (instance as Record<string, unknown>)[field.property];
    if (field.skipWhenAbsent && (value === null || value === undefined)) continue;
    const fieldName = prefix ? `${prefix}.${field.property}` : field.property;
    for (const check of field.checks) {
      const hint = check(value);
      if (hint === undefined) continue;
      out.push({ fieldName, invalidValue: field.secret ? undefined : echo(value), hint });
      break;
    }
    if (field.nested && value !== undefined) collectNested(value, field, fieldName, out);
  }
}

/**
 * A nested field's contents: an object is validated by its own rules, a list item by item. A value that is neither
 * was already reported by the field's shape check; inside a list it is reported at its index.
 */
function collectNested(value: unknown, field: FieldRules, fieldName: string, out: Violation[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const itemName = `${fieldName}[${index}]`;
      if (Array.isArray(item) || (item !== null && typeof item === 'object')) {
        collectNested(item, field, itemName, out);
      } else {
        const hint = `${field.nested!.list ? 'each value in ' : ''}nested property ${field.property} must be either object or array`;
        out.push({ fieldName: itemName, invalidValue: echo(item), hint });
      }
    });
  } else if (value !== null && typeof value === 'object') {
    collectViolations(value, fieldName, out);
  }
}

function rulesOf(dtoClass: DtoClass): ClassRules {
  let rules = resolved.get(dtoClass);
  if (rules) return rules;
  const fields: FieldRules[] = [];
  const seen = new Set<string>();
  // Own fields first, then each ancestor's from the root down, a redeclared field taking the subclass's rules.
  const chain: object[] = [];
  for (
    let p = dtoClass.prototype as object | null;
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    chain.push(p);
  }
  for (const prototype of [...chain.slice(0, 1), ...chain.slice(1).reverse()]) {
    for (const field of ownFields.get(prototype)?.values() ?? []) {
      if (seen.has(field.property)) continue;
      seen.add(field.property);
      // A field that is secret anywhere in the chain stays secret where a subclass redeclares it.
      const secret = chain.some((p) => ownFields.get(p)?.get(field.property)?.secret);
      fields.push(secret && !field.secret ? { ...field, secret } : field);
    }
  }
  const undeclared = Object.keys(new dtoClass()).filter((property) => !seen.has(property));
  rules = { fields, undeclared };
  resolved.set(dtoClass, rules);
  return rules;
}
