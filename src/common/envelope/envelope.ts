/** Wire shapes of the Wultra envelope (`ObjectRequest` / `Response` / `ObjectResponse`). */
export interface OkEnvelope {
  status: 'OK';
  responseObject?: unknown;
  page?: number;
  size?: number;
}

export interface ErrorEnvelope {
  status: 'ERROR';
  responseObject: { code: string; message: string; violations?: unknown[]; errorId?: string };
}

/** Return this from a handler to answer a paged response: `page` and `size` sit next to `status`. */
export class Paged<T> {
  constructor(
    readonly items: T,
    readonly page: number,
    readonly size: number,
  ) {}
}

/** Java writes `java.util.Date` as `2022-08-25T22:34:58.702+00:00`; clients parse that form. */
export function formatDate(date: Date): string {
  return date.toISOString().replace(/Z$/, '+00:00');
}

/** Drops null and undefined object properties (Jackson NON_NULL) and formats dates, recursively. */
export function toWireJson(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return formatDate(value);
  if (Array.isArray(value))
    return value.map((item) => (item === undefined ? null : (toWireJson(item) ?? null)));
  if (typeof value === 'object') {
    if (Buffer.isBuffer(value)) return undefined;
    const object = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    // Object.keys, not entries: one array per object instead of one per property (every answer passes here).
    for (const key of Object.keys(object)) {
      const converted = toWireJson(object[key]);
      if (converted !== undefined) out[key] = converted;
    }
    return out;
  }
  return value;
}

export function okEnvelope(result: unknown): OkEnvelope {
  if (result instanceof Paged) {
    return { status: 'OK', responseObject: toWireJson(result.items), page: result.page, size: result.size };
  }
  const responseObject = toWireJson(result);
  return responseObject === undefined ? { status: 'OK' } : { status: 'OK', responseObject };
}
