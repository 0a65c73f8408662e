import fc from 'fast-check';
import { RawRequest } from './http-client';

/**
 * Generators of hostile HTTP requests. Everything is produced as JSON *text*, not as objects, so that duplicate keys,
 * `__proto__` keys, numbers JavaScript cannot hold (1e999, 2^53 + 1) and nesting deeper than any serialiser accepts
 * reach the server exactly as written.
 */

export interface RouteInfo {
  method: string;
  /** Route pattern, e.g. `/push/campaign/:id/delete`. */
  path: string;
}

/** The subset of an OpenAPI 3 document the generators read: request body schemas. */
export interface ApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

export interface FuzzContext {
  routes: RouteInfo[];
  apiDocument: ApiDocument;
  /** Values the server knows (the emulators' credentials, ...), by field name: mixed into the plausible ones. */
  knownValues: Record<string, string[]>;
  authorization: string;
}

export interface FuzzRequest {
  /** Which generator made it, for the summary. */
  kind: string;
  /** `METHOD /route/pattern`, or `METHOD (unrouted)`. */
  route: string;
  raw: RawRequest;
}

/** Placeholder for the id of an inbox message posted earlier in the run; the runner substitutes it. */
export const INBOX_ID_PLACEHOLDER = /INBOX_ID_(\d)/g;

const json = (value: string) => JSON.stringify(value);
const objectText = (entries: Array<[string, string]>) =>
  `{${entries.map(([key, value]) => `${json(key)}:${value}`).join(',')}}`;
const arrayText = (items: string[]) => `[${items.join(',')}]`;

// ---------------------------------------------------------------------------------------------------------------
// Hostile scalars

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\t\r\n',
  "' OR '1'='1",
  "'; DROP TABLE push_device_registration; --",
  '" OR ""="',
  '1; DELETE FROM push_app_credentials',
  "%' UNION SELECT secret_hash FROM push_api_client --",
  "\\'",
  '\\',
  '$(reboot)',
  '`id`',
  '${7*7}',
  '{{7*7}}',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%s%s%s%n',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\ud83d\ude00',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  'İ',
  'ß',
  'ﬀ',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'مرحبا',
  'שלום',
  '👨‍👩‍👧‍👦',
  'null',
  'undefined',
  'NaN',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'toString',
  '-1',
  '0',
  '1e3',
  '0x1F',
  '9007199254740993',
  'mobile-app\u0000',
  'mobile-app ',
  'MOBILE-APP',
  'user-1\n',
];

const hugeString = fc
  .tuple(fc.constantFrom('a', 'é', '😀', '\u0000', "'", '\\'), fc.constantFrom(256, 4097, 65537, 300_000))
  .map(([unit, count]) => unit.repeat(count));

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: hugeString },
);

/** Characters that break naive handling, to slip into an otherwise valid value. */
const POISON = [
  '\u0000',
  '\ud800',
  '\udc00',
  "'",
  '"',
  '\\',
  '\u202e',
  '😀',
  '\n',
  '%',
  '_',
  ' ',
  '\u0085',
  '\uffff',
  'İ',
];

/** The value with one poison character inserted, so that it passes the outer checks and reaches the database. */
export function poisoned(value: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat({ max: value.length }), fc.constantFrom(...POISON))
    .map(([position, poison]) => value.slice(0, position) + poison + value.slice(position));
}

/** A JSON text whose string (if it is one) is poisoned. */
const poisonedJson = (text: string): fc.Arbitrary<string> => {
  const value: unknown = JSON.parse(text);
  return typeof value === 'string' ? poisoned(value).map(json) : fc.constant(text);
};

const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0',
    '-0',
    '1',
    '-1',
    '1.5',
    '1e999',
    '-1e999',
    '1e-400',
    '9007199254740993',
    '2147483648',
    '-2147483649',
    '4294967296',
    '123456789012345678901234567890',
    '1E+2',
    '0.0',
  ),
  fc.integer().map(String),
  fc.double().map((value) => JSON.stringify(value)),
  fc.bigInt().map(String),
);

const FIELD_NAMES = [
  'appId',
  'token',
  'platform',
  'environment',
  'userId',
  'activationId',
  'activationIds',
  'activationStatus',
  'message',
  'body',
  'title',
  'batch',
  'mode',
  'extras',
  'attributes',
  'applications',
  'inboxId',
  'requestObject',
];

const keyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIELD_NAMES, '__proto__', 'constructor', 'prototype', '', ' ') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const scalarJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileText.map(json) },
  { weight: 2, arbitrary: numberText },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null') },
);

/** Nesting from "a little too deep" to far more than any recursive walk survives. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(40, 1000, 5000, 20_000, 100_000, 300_000),
    fc.constantFrom('array', 'object', 'mixed'),
  )
  .map(([depth, shape]) => {
    if (shape === 'array') return '['.repeat(depth) + ']'.repeat(depth);
    if (shape === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    return '{"a":['.repeat(depth) + ']}'.repeat(depth);
  });

export const hostileJson: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalarJson },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map(arrayText) },
    { weight: 1, arbitrary: fc.array(fc.tuple(keyText, tie('value')), { maxLength: 4 }).map(objectText) },
  ),
})).value;

// ---------------------------------------------------------------------------------------------------------------
// Plausible values, by field name: the real ones the fixture knows, so that validation deep inside is reached, and
// near misses (a wrong enum value, one character too many, a date that is not one) that fail only that deep check.

interface FieldValues {
  valid: fc.Arbitrary<string>;
  nearMiss?: fc.Arbitrary<string>;
}

const oneOfText = (...values: string[]) => fc.constantFrom(...values).map(json);
const hexToken = (n: number) => `f0${n.toString(16).padStart(8, '0')}`.padEnd(64, '0');
const userIds = oneOfText('user-1', 'user-2', 'user-3', '123');
const appIds = oneOfText('mobile-app', 'mobile-app', 'mobile-app', 'fuzz-app', 'other_app');
const bool = fc.constantFrom('true', 'false');

function plausibleByName(ctx: FuzzContext): Record<string, FieldValues> {
  const known = (name: string, ...others: string[]) => oneOfText(...(ctx.knownValues[name] ?? []), ...others);
  const text = oneOfText('Balance update', 'Hello', 'Your balance is now $745.00', '');
  const textList = fc.array(text, { maxLength: 3 }).map(arrayText);
  return {
    appId: { valid: appIds, nearMiss: oneOfText('MOBILE-APP', 'mobile-app ', 'ab', 'a'.repeat(256)) },
    token: {
      valid: fc.oneof(
        fc.integer({ min: 1, max: 4 }).map((n) => json(hexToken(n))),
        oneOfText('fcm-1', 'hms-1'),
      ),
      nearMiss: oneOfText('', 'x'.repeat(256)),
    },
    platform: {
      valid: oneOfText('apns', 'fcm', 'hms', 'ios', 'android', 'huawei'),
      nearMiss: oneOfText('APNS', 'windows', ''),
    },
    environment: {
      valid: oneOfText('production', 'development', 'PRODUCTION'),
      nearMiss: oneOfText('staging'),
    },
    userId: { valid: userIds, nearMiss: oneOfText('', ' ', 'u'.repeat(256)) },
    activationId: {
      valid: oneOfText('act-1', 'act-2', 'act-3', '49414e31-f3df-4cea-87e6-f214ca3b8412'),
      nearMiss: oneOfText('49414e31-f3df-4cea-87e6-f214ca3b8412-x'),
    },
    activationIds: {
      valid: fc.array(oneOfText('act-1', 'act-2', 'act-4'), { minLength: 1, maxLength: 3 }).map(arrayText),
      nearMiss: fc.constantFrom(
        '[]',
        '[null]',
        '[1]',
        arrayText(Array.from({ length: 101 }, (_, i) => json(`a${i}`))),
      ),
    },
    activationStatus: {
      valid: oneOfText('ACTIVE', 'ACTIVE', 'BLOCKED', 'REMOVED', 'CREATED', 'PENDING_COMMIT'),
      nearMiss: oneOfText('active', 'DELETED'),
    },
    mode: { valid: oneOfText('SYNCHRONOUS', 'ASYNCHRONOUS'), nearMiss: oneOfText('sync', 'synchronous') },
    priority: { valid: oneOfText('HIGH', 'NORMAL'), nearMiss: oneOfText('LOW', 'high') },
    type: { valid: oneOfText('text', 'html', 'TEXT'), nearMiss: oneOfText('markdown') },
    subject: { valid: oneOfText('Subject of a message', 'Ünïcødé sübject 🎉'), nearMiss: oneOfText('Short') },
    summary: { valid: oneOfText('Summary of a message', 'Summary text here'), nearMiss: oneOfText('Short') },
    body: {
      valid: oneOfText('Body of an inbox message', 'Your balance is now $745.00'),
      nearMiss: oneOfText('short', 'b'.repeat(70_000)),
    },
    title: { valid: text, nearMiss: oneOfText('t'.repeat(4097), 'Long title '.repeat(300)) },
    titleLocKey: { valid: text },
    bodyLocKey: { valid: text },
    sound: { valid: oneOfText('default', 'ping.aiff') },
    icon: { valid: oneOfText('ic_notification') },
    category: { valid: oneOfText('balance') },
    collapseKey: { valid: oneOfText('balance', '1'), nearMiss: oneOfText('x'.repeat(65)) },
    titleLocArgs: { valid: textList, nearMiss: fc.constantFrom('[1]', '"a"') },
    bodyLocArgs: { valid: textList, nearMiss: fc.constantFrom('[null]', '{}') },
    badge: {
      valid: fc.constantFrom('0', '3', '2147483647'),
      nearMiss: fc.constantFrom('-1', '2147483648', '1.5', '"3"'),
    },
    validUntil: {
      valid: oneOfText('2030-12-11T21:22:29.923Z', '2030-01-01T00:00:00+01:00', '2001-01-01T00:00:00Z'),
      nearMiss: oneOfText('2030-13-45T99:99Z', 'tomorrow', '2030-12-11'),
    },
    extras: {
      valid: fc
        .array(
          fc.tuple(
            fc.constantFrom('k', 'inboxId', 'n', 'nested'),
            fc.oneof(text, fc.constant('{"a":[1,2]}')),
          ),
          {
            maxLength: 3,
          },
        )
        .map(objectText),
      nearMiss: fc.constantFrom('[]', '"extras"', `{"big":${json('x'.repeat(5000))}}`),
    },
    silent: { valid: bool, nearMiss: fc.constantFrom('"true"', '1') },
    personal: { valid: bool, nearMiss: fc.constantFrom('"false"', '0') },
    sendPush: { valid: bool },
    includeApns: { valid: bool },
    includeFcm: { valid: bool },
    includeHms: { valid: bool },
    applications: {
      valid: fc.array(appIds, { minLength: 1, maxLength: 3 }).map(arrayText),
      nearMiss: fc.constantFrom('[]', '["a b"]', '["mobile-app","ab"]', '"mobile-app"'),
    },
    inboxId: {
      valid: fc.integer({ min: 0, max: 9 }).map((n) => json(`INBOX_ID_${n}`)),
      nearMiss: oneOfText('ae641389-d37a-4425-bd14-41c29484596f'),
    },
    bundle: { valid: known('bundle', 'com.example.app') },
    keyId: { valid: known('keyId'), nearMiss: oneOfText('KEYID12345') },
    teamId: { valid: known('teamId'), nearMiss: oneOfText('TEAMID1234') },
    projectId: { valid: known('projectId'), nearMiss: oneOfText('my-firebase-project') },
    clientId: { valid: known('clientId'), nearMiss: oneOfText('client') },
    clientSecret: { valid: known('clientSecret'), nearMiss: oneOfText('secret') },
    privateKeyBase64: {
      valid: known('privateKeyBase64'),
      nearMiss: oneOfText(Buffer.from('not a key').toString('base64'), '!!!not base64!!!'),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Schema-driven objects

/** Of 20 fields, how many are hostile instead of plausible: drawn once per request. */
type Hostility = 0 | 1 | 3 | 8;

class SchemaGenerator {
  private readonly byName: Record<string, FieldValues>;
  private readonly cache = new Map<string, fc.Arbitrary<string>>();

  constructor(
    private readonly ctx: FuzzContext,
    private readonly schemas: Record<string, Schema>,
  ) {
    this.byName = plausibleByName(ctx);
  }

  resolve(schema: Schema | undefined): Schema | undefined {
    if (!schema?.$ref) return schema;
    return this.schemas[schema.$ref.replace('#/components/schemas/', '')];
  }

  /** A JSON object with the schema's fields, required ones nearly always present, some fields hostile. */
  object(schema: Schema, hostility: Hostility, depth = 0): fc.Arbitrary<string> {
    const key = `${JSON.stringify(schema)}|${hostility}|${depth}`;
    let arbitrary = this.cache.get(key);
    if (arbitrary) return arbitrary;
    const properties = Object.entries(schema.properties ?? {});
    const required = new Set(schema.required ?? []);
    const entries = properties.map(([name, property]) =>
      fc.oneof(
        { weight: required.has(name) ? 40 : 6, arbitrary: this.field(name, property, hostility, depth) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
    );
    const extra = fc.oneof(
      { weight: 8, arbitrary: fc.constant([] as Array<[string, string]>) },
      { weight: 1, arbitrary: fc.array(fc.tuple(keyText, hostileJson), { minLength: 1, maxLength: 2 }) },
    );
    arbitrary = fc
      .tuple(fc.tuple(...entries), extra)
      .map(([fields, extras]) =>
        objectText([...fields.filter((field): field is [string, string] => field !== undefined), ...extras]),
      );
    this.cache.set(key, arbitrary);
    return arbitrary;
  }

  private field(
    name: string,
    raw: Schema,
    hostility: Hostility,
    depth: number,
  ): fc.Arbitrary<[string, string]> {
    const plausible = this.plausible(name, raw, hostility, depth);
    const nearMiss = this.byName[name]?.nearMiss;
    const hostile = fc.oneof(
      ...(nearMiss ? [{ weight: 8, arbitrary: nearMiss }] : []),
      { weight: 8, arbitrary: plausible.chain(poisonedJson) },
      { weight: 8, arbitrary: hostileJson },
      { weight: 1, arbitrary: deepJson },
      { weight: 1, arbitrary: fc.constant('null') },
    );
    const value =
      hostility === 0
        ? plausible
        : fc.oneof(
            { weight: 20 - hostility, arbitrary: plausible },
            { weight: hostility, arbitrary: hostile },
          );
    return value.map((text) => [name, text]);
  }

  private plausible(name: string, raw: Schema, hostility: Hostility, depth: number): fc.Arbitrary<string> {
    const schema = this.resolve(raw) ?? {};
    if (depth < 3 && schema.properties) return this.object(schema, hostility, depth + 1);
    const items = this.resolve(raw.items);
    if (depth < 3 && raw.type === 'array' && items?.properties) {
      return fc
        .array(this.object(items, hostility, depth + 1), { minLength: 1, maxLength: 4 })
        .map(arrayText);
    }
    if (this.byName[name]) return this.byName[name].valid;
    if (schema.enum?.length) return fc.constantFrom(...schema.enum.map((value) => JSON.stringify(value)));
    if (schema.type === 'boolean') return fc.constantFrom('true', 'false');
    if (schema.type === 'array') return fc.array(hostileText.map(json), { maxLength: 3 }).map(arrayText);
    if (schema.example !== undefined) return fc.constant(JSON.stringify(schema.example));
    return hostileText.map(json);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies

interface Body {
  kind: string;
  text?: string | Buffer;
}

type BodyShape =
  | { type: 'envelope'; schema: Schema }
  | { type: 'list' }
  | { type: 'bare'; schema: Schema }
  | { type: 'none' };

function bodyShape(ctx: FuzzContext, generator: SchemaGenerator, route: RouteInfo): BodyShape {
  const docPath = route.path.replace(/:(\w+)/g, '{$1}');
  const operation = ctx.apiDocument.paths[docPath]?.[route.method.toLowerCase()];
  const schema = generator.resolve(operation?.requestBody?.content?.['application/json']?.schema);
  const requestObject = schema?.properties?.requestObject;
  if (requestObject?.type === 'array') return { type: 'list' };
  const inner = generator.resolve(requestObject);
  if (inner) return { type: 'envelope', schema: inner };
  if (schema?.properties) return { type: 'bare', schema };
  return { type: 'none' };
}

const envelope = (requestObject: string) => `{"requestObject":${requestObject}}`;

const INVALID_JSON = [
  '',
  ' ',
  '{',
  '}',
  '{"requestObject":',
  '{"requestObject":{"appId":"mobile-app",}}',
  "{'requestObject':{}}",
  '{requestObject:{}}',
  'NaN',
  '{"requestObject":NaN}',
  '{"requestObject":Infinity}',
  '{"requestObject":undefined}',
  '{"a":1}{"b":2}',
  '\ufeff{"requestObject":{}}',
  '/* comment */{"requestObject":{}}',
  '[1,2',
  '"unterminated',
  'null',
  'true',
  '"a string"',
  '123',
  '[]',
  '{"requestObject":{"appId":"\\x41"}}',
  '{"requestObject":{"appId":"\\u12"}}',
  '{"requestObject":{"appId":"a\nb"}}',
  '{"requestObject":{"appId":01}}',
  '{"requestObject":{"appId":-}}',
  '{"requestObject":{"appId":.5}}',
  '{"requestObject":{"appId":"mobile-app"}}garbage',
  '\u0000',
];

const PROTOTYPE_BODIES = [
  '{"__proto__":{"requestObject":{"appId":"mobile-app"}}}',
  '{"requestObject":{"__proto__":{"appId":"mobile-app","userId":"user-1"}}}',
  '{"requestObject":{"constructor":{"prototype":{"appId":"mobile-app"}}}}',
  '{"constructor":{"prototype":{"requestObject":{"appId":"mobile-app"}}}}',
  '{"requestObject":{"appId":"mobile-app","__proto__":{"admin":true},"toString":1,"hasOwnProperty":2}}',
  '{"requestObject":{"message":{"__proto__":{"body":{"title":"x"},"userId":"user-1"}},"appId":"mobile-app"}}',
  '{"requestObject":{"appId":"a","appId":{"b":1}}}',
  '{"requestObject":{"appId":{"b":1},"appId":"mobile-app"}}',
  '{"requestObject":["user-1"],"requestObject":{"appId":"mobile-app"}}',
  '{"requestObject":{"__proto__":null}}',
];

function bodyArbitrary(ctx: FuzzContext, generator: SchemaGenerator, shape: BodyShape): fc.Arbitrary<Body> {
  const hostility = fc.constantFrom<Hostility>(0, 0, 1, 3, 8);
  const userList = (hostile: boolean) =>
    fc
      .array(hostile ? fc.oneof(userIds, hostileJson) : userIds, { maxLength: 6 })
      .map((items) => envelope(arrayText(items)));
  const plausibleObject: fc.Arbitrary<string> =
    shape.type === 'envelope' || shape.type === 'bare'
      ? hostility.chain((level) => generator.object(shape.schema, level))
      : fc.constant('{}');
  const plausible: fc.Arbitrary<string> =
    shape.type === 'envelope'
      ? plausibleObject.map(envelope)
      : shape.type === 'list'
        ? fc.boolean().chain(userList)
        : shape.type === 'bare'
          ? plausibleObject
          : fc.constantFrom('{}', '{"requestObject":{}}');
  const otherRoutesObject = fc.constantFrom(...ctx.routes).chain((route) => {
    const other = bodyShape(ctx, generator, route);
    return other.type === 'envelope' ? generator.object(other.schema, 1) : hostileJson;
  });
  const huge = fc
    .tuple(
      fc.constantFrom(900_000, 1_048_000, 1_100_000, 3_000_000),
      fc.constantFrom('appId', 'userId', 'title'),
    )
    .map(([size, field]) => envelope(objectText([[field, json('x'.repeat(size))]])));
  const hugeList = fc
    .constantFrom(100_001, 120_000)
    .map((count) => envelope(arrayText(Array.from({ length: count }, (_, i) => json(`u${i}`)))));

  const kinds: Array<fc.WeightedArbitrary<Body>> = [
    { weight: 10, arbitrary: plausible.map((text) => ({ kind: 'plausible', text })) },
    { weight: 2, arbitrary: hostileJson.map((text) => ({ kind: 'wrong-type', text: envelope(text) })) },
    {
      weight: 1,
      arbitrary: otherRoutesObject.map((text) => ({ kind: 'wrong-shape', text: envelope(text) })),
    },
    { weight: 1, arbitrary: hostileJson.map((text) => ({ kind: 'bare-json', text })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('requestobject', 'RequestObject', 'request', 'requestObject '),
          plausibleObject,
        )
        .chain(([key, object]) =>
          fc.constantFrom(
            { kind: 'missing-envelope', text: `{${json(key)}:${object}}` },
            { kind: 'missing-envelope', text: object },
            { kind: 'missing-envelope', text: '{}' },
            { kind: 'missing-envelope', text: '{"requestObject":null}' },
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...PROTOTYPE_BODIES).map((text) => ({ kind: 'prototype', text })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(deepJson, fc.constantFrom('bare', 'requestObject', 'field'))
        .map(([deep, where]) => ({
          kind: 'deep',
          text:
            where === 'bare'
              ? deep
              : where === 'requestObject'
                ? envelope(deep)
                : envelope(
                    `{"appId":"mobile-app","message":{"userId":"user-1","body":{"extras":${deep}}},"extras":${deep}}`,
                  ),
        })),
    },
    {
      weight: 1,
      arbitrary: (shape.type === 'list' ? hugeList : huge).map((text) => ({ kind: 'huge', text })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom(...INVALID_JSON),
          fc.tuple(plausible, fc.nat()).map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))),
        )
        .map((text) => ({ kind: 'invalid-json', text })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes)),
          // Not UTF-8: a lone continuation byte, an overlong slash, a truncated sequence, UTF-16.
          fc.constantFrom(
            Buffer.concat([
              Buffer.from('{"requestObject":{"appId":"'),
              Buffer.from([0x80, 0xc0, 0xaf, 0xe2, 0x82]),
              Buffer.from('"}}'),
            ]),
            Buffer.from('{"requestObject":{"appId":"mobile-app"}}', 'utf16le'),
            Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
          ),
        )
        .map((text) => ({ kind: 'binary', text })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'no-body' }) },
  ];
  return fc.oneof(...kinds);
}

// ---------------------------------------------------------------------------------------------------------------
// URLs

/** Percent-encodes every byte outside the unreserved set; lone surrogates go out as invalid UTF-8 (ED A0 80). */
export function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (/^[A-Za-z0-9\-._~]$/.test(char)) {
      out += char;
      continue;
    }
    const bytes =
      code >= 0xd800 && code <= 0xdfff
        ? Buffer.from([0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)])
        : Buffer.from(char, 'utf8');
    for (const byte of bytes) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const RAW_PATH_SEGMENTS = [
  '%',
  '%%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%2e%2e%2f',
  '..',
  '.',
  '%F0%9F%98%80',
  "1'%20OR%20'1'='1",
  '1;DROP%20TABLE%20push_campaign',
  '1%0d%0aSet-Cookie:%20a=b',
];

const idSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('1', '2', '3', '4', '5') },
  { weight: 2, arbitrary: fc.nat().map(String) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0',
      '-1',
      '1.5',
      '1e3',
      '0x1',
      '+1',
      '01',
      '9007199254740993',
      '999999999999999',
      '9999999999999999999999',
      'abc',
      'null',
      '__proto__',
      'constructor',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_PATH_SEGMENTS) },
  { weight: 2, arbitrary: hostileText.filter((text) => text.length < 500).map(percentEncode) },
);

/** Query parameters of the GET routes: valid values, then near misses. */
const QUERY_VALUES: Record<string, [valid: string[], nearMiss: string[]]> = {
  page: [
    ['0', '1'],
    ['-1', '2147483648', '99999999999', 'abc', '1.5', ''],
  ],
  size: [
    ['1', '20', '1000'],
    ['1001', '0', '-5', '1e3', ''],
  ],
  userId: [
    ['user-1', 'user-2', '123'],
    ['', ' '],
  ],
  applications: [
    ['mobile-app', 'mobile-app,other_app', 'mobile-app,'],
    [',,,', ''],
  ],
  appId: [['mobile-app', 'fuzz-app'], ['']],
  id: [
    ['INBOX_ID_0', 'INBOX_ID_1'],
    ['nope', ''],
  ],
  onlyUnread: [
    ['true', 'FALSE'],
    ['yes', '1'],
  ],
  all: [
    ['true', 'false'],
    ['1', 'yes'],
  ],
};

type QueryPair = [name: string, value: string];
const pairText = ([name, value]: QueryPair) => `${name}=${value}`;

const queryPair: fc.Arbitrary<QueryPair> = fc
  .tuple(
    fc.constantFrom(...Object.keys(QUERY_VALUES)),
    fc.constantFrom('', '', '', '', '', '', '[]', '[a]', '[__proto__]'),
    fc.constantFrom('valid', 'near-miss', 'poisoned', 'poisoned', 'hostile'),
  )
  .chain(([name, suffix, flavour]) => {
    const [valid, nearMiss] = QUERY_VALUES[name];
    const value =
      flavour === 'hostile'
        ? fc.oneof(
            hostileText.filter((text) => text.length < 2000).map(percentEncode),
            fc.constantFrom(...RAW_PATH_SEGMENTS),
          )
        : flavour === 'poisoned'
          ? fc
              .constantFrom(...valid)
              .chain(poisoned)
              .map(percentEncode)
          : fc.constantFrom(...(flavour === 'valid' ? valid : nearMiss)).map(percentEncode);
    return value.map((text): QueryPair => [`${name}${suffix}`, text]);
  });

/** Every parameter any GET route reads, valid: routes ignore the ones that are not theirs. */
const validQuery: fc.Arbitrary<QueryPair[]> = fc.tuple(
  ...Object.entries(QUERY_VALUES).map(([name, [valid]]) =>
    fc.constantFrom(...valid).map((value): QueryPair => [name, percentEncode(value)]),
  ),
);

const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: validQuery.map((pairs) => `?${pairs.map(pairText).join('&')}`) },
  {
    // Valid, with one to three parameters replaced.
    weight: 5,
    arbitrary: fc
      .tuple(validQuery, fc.array(queryPair, { minLength: 1, maxLength: 3 }))
      .map(([valid, odd]) => {
        const replaced = new Set(odd.map(([name]) => name));
        return `?${[...valid.filter(([name]) => !replaced.has(name)), ...odd].map(pairText).join('&')}`;
      }),
  },
  {
    // Valid, with parameters repeated (Express makes arrays of them).
    weight: 1,
    arbitrary: fc
      .tuple(validQuery, fc.array(queryPair, { minLength: 1, maxLength: 3 }))
      .map(([valid, odd]) => `?${[...valid, ...odd].map(pairText).join('&')}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(queryPair, { minLength: 1, maxLength: 6 })
      .map((pairs) => `?${pairs.map(pairText).join('&')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?', '?&&', '?=', '?userId', '?%', '?a=%zz', '?__proto__[x]=1') },
);

const PATH_MUTATIONS: Array<(path: string) => string> = [
  (path) => `${path}/`,
  (path) => path.toUpperCase(),
  (path) => `${path}/extra`,
  (path) => path.replace(/\//g, '//'),
  (path) => `/..${path}`,
  (path) => `${path}%2F..%2F..%2Fhealth`,
  (path) => `${path};jsessionid=1`,
  (path) => `${path}.json`,
  (path) => path.replace(/^\/\w+/, '/%2e%2e'),
  () => '/push/unknown',
  () => '/',
  () => '*',
];

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

// ---------------------------------------------------------------------------------------------------------------
// Headers

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'application/json; charset=bogus',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/vnd.api+json',
  'application/*',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  '',
];

function authorizationArbitrary(ctx: FuzzContext): fc.Arbitrary<{ label: string; value?: string }> {
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 80,
  });
  const [scheme, credentials] = ctx.authorization.split(' ');
  return fc.oneof(
    { weight: 24, arbitrary: fc.constant({ label: 'admin', value: ctx.authorization }) },
    { weight: 1, arbitrary: fc.constant({ label: 'anonymous', value: undefined }) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          printable.map((text) => `Basic ${Buffer.from(text).toString('base64')}`),
          printable.map((text) => `Bearer ${text}`),
          printable,
          fc.constantFrom(
            'Basic',
            'Bearer ',
            'Basic !!!',
            'Basic Og==',
            `${scheme} ${credentials.slice(0, -2)}`,
            `${scheme.toLowerCase()} ${credentials}`,
            `${scheme}  ${credentials}`,
            `Digest username="admin"`,
            `Basic ${Buffer.from('test-admin\u0000:secret').toString('base64')}`,
            `Basic ${Buffer.from("test-admin' OR '1'='1:x").toString('base64')}`,
            `Basic ${Buffer.from('tést-ädmin😀:secret').toString('base64')}`,
            `Bearer ${'a'.repeat(3000)}.${'b'.repeat(3000)}`,
          ),
        )
        .map((value) => ({ label: 'garbage', value })),
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

export function requestArbitrary(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const generator = new SchemaGenerator(ctx, ctx.apiDocument.components?.schemas ?? {});
  const perRoute = ctx.routes.map((route) => {
    const shape = bodyShape(ctx, generator, route);
    const params = route.path.match(/:\w+/g) ?? [];
    const path = fc.tuple(...params.map(() => idSegment)).map((values) => {
      let index = 0;
      return route.path.replace(/:\w+/g, () => values[index++]);
    });
    const takesBody = route.method !== 'GET';
    const body = takesBody
      ? bodyArbitrary(ctx, generator, shape)
      : fc.oneof(
          { weight: 12, arbitrary: fc.constant<Body>({ kind: 'no-body' }) },
          { weight: 1, arbitrary: bodyArbitrary(ctx, generator, shape) },
        );
    return fc
      .record({
        method: fc.oneof(
          { weight: 12, arbitrary: fc.constant(route.method) },
          { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
        ),
        path,
        mutation: fc.oneof(
          { weight: 20, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: PATH_MUTATIONS.length - 1 }) },
        ),
        query: takesBody
          ? fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryString })
          : queryString,
        body,
        contentType: fc.oneof(
          { weight: 14, arbitrary: fc.constant('application/json') },
          { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
          { weight: 1, arbitrary: fc.constant(undefined) },
        ),
        contentEncoding: fc.oneof(
          { weight: 30, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'bogus') },
        ),
        auth: authorizationArbitrary(ctx),
      })
      .map(({ method, path, mutation, query, body, contentType, contentEncoding, auth }): FuzzRequest => {
        const finalPath = mutation === undefined ? path : PATH_MUTATIONS[mutation](path);
        const headers: Record<string, string> = {};
        if (auth.value !== undefined) headers.Authorization = auth.value;
        if (body.text !== undefined && contentType !== undefined) headers['Content-Type'] = contentType;
        if (body.text !== undefined && contentEncoding !== undefined)
          headers['Content-Encoding'] = contentEncoding;
        const kinds = [body.kind];
        if (auth.label !== 'admin') kinds.push(`auth:${auth.label}`);
        if (mutation !== undefined) kinds.push('odd-path');
        if (method !== route.method) kinds.push('odd-method');
        const request: FuzzRequest = {
          kind: kinds.join(' '),
          route: mutation === undefined ? `${method} ${route.path}` : `${method} (unrouted)`,
          raw: { method, path: `${finalPath}${query}`, headers, body: body.text },
        };
        return withShortDescription(request);
      });
  });
  return fc.oneof(...perRoute);
}

/** fast-check prints counterexamples with this: bodies can be megabytes. */
export function withShortDescription(request: FuzzRequest): FuzzRequest {
  Object.defineProperty(request, fc.toStringMethod, {
    value: () => describeRequest(request),
    enumerable: false,
  });
  return request;
}

export function describeRequest(request: FuzzRequest): string {
  const body = request.raw.body;
  const text = body === undefined ? '(none)' : Buffer.isBuffer(body) ? `<${body.length} bytes>` : body;
  const shown = text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
  return `[${request.kind}] ${request.raw.method} ${request.raw.path.slice(0, 300)} ${JSON.stringify(
    request.raw.headers,
  )} body: ${shown}`;
}
