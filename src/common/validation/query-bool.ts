import { ValidateBy } from 'class-validator';

const VALUES = new Map([
  ['true', true],
  ['false', false],
]);

/**
 * A boolean sent as a query-string value (`?onlyUnread=true`): `true` or `false` in any case; absent or empty means
 * the endpoint's default. Anything else, or a repeated parameter, is a violation.
 */
export function QueryBool(): PropertyDecorator {
  const hintFor = (value: unknown) => {
    if (value === null || value === undefined || value === '') return undefined;
    return typeof value === 'string' && VALUES.has(value.toLowerCase()) ? undefined : 'must be true or false';
  };
  return ValidateBy({
    name: 'queryBool',
    validator: {
      validate: (value: unknown) => hintFor(value) === undefined,
      defaultMessage: (args) => hintFor(args?.value) ?? 'is invalid',
    },
  });
}

/** The value of a validated QueryBool field, or `fallback` when it was absent or empty. */
export function queryBoolValue(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return VALUES.get(value.toLowerCase()) ?? fallback;
}
