import { PushServerError } from '../../src/common/errors/push-server.error';
import {
  Bool,
  FreeObject,
  Nested,
  OneOf,
  Text,
  TextList,
  Transformed,
} from '../../src/common/validation/constraints';
import { validateDto } from '../../src/common/validation/validate-dto';

class Inner {
  @Text({ notBlank: true, max: 5 }) name: string;
}

class Sample {
  @Text({ notBlank: true, max: 10 }) appId: string;
  @Text({ max: 300, secret: true }) secret?: string;
  @OneOf(['development', 'production'], { caseInsensitive: true }) environment?: string;
  @Bool() flag?: boolean;
  @TextList({ maxItems: 2, itemMax: 3 }) list?: string[];
  @Nested(() => Inner) inner?: Inner;
}

function violations(value: unknown) {
  try {
    validateDto(Sample, value, 'requestObject');
  } catch (error) {
    expect(error).toBeInstanceOf(PushServerError);
    return (error as PushServerError).violations;
  }
  throw new Error('no violation');
}

describe('validateDto', () => {
  it('returns a DTO instance, drops unknown properties and lower-cases case-insensitive enums', () => {
    const dto = validateDto(Sample, { appId: 'app', environment: 'PRODUCTION', unknown: 1 }, 'requestObject');
    expect(dto).toBeInstanceOf(Sample);
    expect(dto).toEqual(Object.assign(new Sample(), { appId: 'app', environment: 'production' }));
  });

  it('names each bad field with Bean-Validation-like hints', () => {
    expect(violations({ appId: '  ', flag: 'yes', list: ['a', 'b', 'c'], inner: { name: '' } })).toEqual([
      { fieldName: 'requestObject.appId', invalidValue: '  ', hint: 'must not be blank' },
      { fieldName: 'requestObject.flag', invalidValue: 'yes', hint: 'must be a boolean' },
      { fieldName: 'requestObject.list', hint: 'size must be between 0 and 2' },
      { fieldName: 'requestObject.inner.name', invalidValue: '', hint: 'must not be blank' },
    ]);
  });

  it('takes a null optional nested object as absent', () => {
    const dto = validateDto(Sample, { appId: 'app', inner: null }, 'requestObject');
    expect(dto.inner).toBeNull();
  });

  it('never echoes a secret, and bounds what it echoes', () => {
    expect(violations({ appId: 'x'.repeat(500), secret: 's'.repeat(301) })).toEqual([
      {
        fieldName: 'requestObject.appId',
        invalidValue: `${'x'.repeat(200)}…`,
        hint: 'size must be between 0 and 10',
      },
      { fieldName: 'requestObject.secret', hint: 'size must be between 0 and 300' },
    ]);
  });

  it('ignores prototype-polluting keys', () => {
    const dto = validateDto(
      Sample,
      JSON.parse('{"appId":"a","__proto__":{"polluted":true}}'),
      'requestObject',
    );
    expect((dto as unknown as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('rejects JSON nested deeper than 1000 levels instead of overflowing the stack (found by the fuzzer)', () => {
    // The exact boundary, counted as Jackson counts it, is in test/e2e/request-limits.e2e-spec.ts.
    const nested = (depth: number) => JSON.parse(`${'{"a":['.repeat(depth)}${']}'.repeat(depth)}`);
    expect(() => validateDto(Sample, { appId: 'a', unknown: nested(400) }, 'requestObject')).not.toThrow();
    expect(violations(nested(30_000))).toEqual([
      { fieldName: 'requestObject', hint: 'must not be nested more than 1000 levels deep' },
    ]);
  });

  it('rejects the NUL character in text, which PostgreSQL cannot store (found by the fuzzer)', () => {
    expect(violations({ appId: 'a\u0000b', list: ['\u0000'] })).toEqual([
      {
        fieldName: 'requestObject.appId',
        invalidValue: 'a\u0000b',
        hint: 'must not contain the NUL character',
      },
      { fieldName: 'requestObject.list', hint: 'each item: must not contain the NUL character' },
    ]);
  });

  it('rejects a missing or non-object payload', () => {
    expect(violations(null)).toEqual([{ fieldName: 'requestObject', hint: 'must not be null' }]);
    expect(violations([1])).toEqual([{ fieldName: 'requestObject', hint: 'must be a JSON object' }]);
  });

  it('validates repeatedly from remembered rules, and a rule added to a class later still applies', () => {
    class Later {
      @Text({ max: 3 }) code?: string;
    }
    for (let i = 0; i < 3; i++) expect(validateDto(Later, { code: 'abc' }, '')).toEqual({ code: 'abc' });
    // A subclass declared after the parent's rules were remembered: both its own rule and the inherited one apply.
    class Extended extends Later {
      @Text({ notBlank: true, max: 10 }) name: string;
    }
    const badFields = (value: object) => {
      try {
        validateDto(Extended, value, '');
      } catch (error) {
        return (error as PushServerError).violations?.map((violation) => violation.fieldName).sort();
      }
      return [];
    };
    expect(badFields({ code: 'abcd' })).toEqual(['code', 'name']);
    Text({ notBlank: true, max: 10 })(Later.prototype, 'extra');
    expect(() => validateDto(Later, { code: 'abc' }, '')).toThrow(PushServerError);
  });

  it('names list items by index: a bad field inside one, or an item that is no object', () => {
    class Holder {
      @Nested(() => Inner, { list: true }) items?: Inner[];
    }
    const caught = (value: object) => {
      try {
        validateDto(Holder, value, 'requestObject');
      } catch (error) {
        return (error as PushServerError).violations;
      }
      return [];
    };
    expect(caught({ items: [{ name: 'ok' }, { name: 'too long' }, 'text', null] })).toEqual([
      { fieldName: 'requestObject.items', hint: 'must be an array of JSON objects' },
      {
        fieldName: 'requestObject.items[1].name',
        invalidValue: 'too long',
        hint: 'size must be between 0 and 5',
      },
      {
        fieldName: 'requestObject.items[2]',
        invalidValue: 'text',
        hint: 'each value in nested property items must be either object or array',
      },
      {
        fieldName: 'requestObject.items[3]',
        hint: 'each value in nested property items must be either object or array',
      },
    ]);
    const dto = validateDto(Holder, { items: [{ name: 'a', unknown: 1 }] }, 'requestObject');
    expect(dto.items![0]).toBeInstanceOf(Inner);
    expect(dto.items).toEqual([Object.assign(new Inner(), { name: 'a' })]);
  });

  it("checks a subclass's own fields first, then the inherited ones, and applies transforms in written order", () => {
    class Base {
      @Text({ notBlank: true, max: 5 }) first: string;
    }
    class Derived extends Base {
      @Transformed((value) => (typeof value === 'string' ? value.trim() : value))
      @Transformed((value) => (value === '' ? undefined : value))
      @Text({ notBlank: true, max: 5 })
      second: string;
    }
    try {
      validateDto(Derived, { second: '   ' }, '');
      throw new Error('no violation');
    } catch (error) {
      expect((error as PushServerError).violations).toEqual([
        { fieldName: 'second', hint: 'must not be blank' },
        { fieldName: 'first', hint: 'must not be blank' },
      ]);
    }
  });

  it('never echoes a secret field, even where a subclass redeclares it without saying so', () => {
    class WithSecret {
      @Text({ max: 300, secret: true }) key?: string;
    }
    class Redeclared extends WithSecret {
      @Text({ max: 3 }) override key?: string = undefined;
    }
    expect(() => validateDto(Redeclared, { key: 'leaked' }, '')).toThrow(PushServerError);
    try {
      validateDto(Redeclared, { key: 'leaked' }, '');
    } catch (error) {
      expect((error as PushServerError).violations).toEqual([
        { fieldName: 'key', hint: 'size must be between 0 and 3' },
      ]);
    }
  });

  it('keeps every key of a free-form object, even one named like an Object method', () => {
    class WithExtras {
      @FreeObject() extras?: Record<string, unknown>;
    }
    const extras = { toString: 'x', valueOf: 1, nested: { a: [1, { b: null }] } };
    expect(validateDto(WithExtras, { extras }, '').extras).toEqual(extras);
  });
});
