import { IncomingHttpHeaders } from 'node:http';
import { HeaderMap, RECORDED_PROVIDERS, RecordedProvider, RecordedRequest } from './emulator.types';

/**
 * What the ring keeps per request: the headers object as received and the body as text. Both are turned into a
 * `RecordedRequest` only when read, so a request costs one small object and no copying.
 */
export interface StoredRequest {
  provider: RecordedProvider;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  bodyText: string;
  /** Token endpoints: the body is form fields. */
  form: boolean;
  receivedAt: number;
  httpVersion: '1.1' | '2.0';
  outcome: number;
}

/**
 * A bounded ring of received requests plus per-provider totals. Adding is O(1), so recording stays cheap at
 * benchmark rates; the ring drops the oldest record once full.
 */
export class RequestRecorder {
  private ring: StoredRequest[] = [];
  /** Index of the oldest record once the ring is full. */
  private head = 0;
  private totals = emptyTotals();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('maxRecords must be a positive integer');
  }

  add(record: StoredRequest): void {
    this.totals[record.provider]++;
    if (this.ring.length < this.capacity) {
      this.ring.push(record);
      return;
    }
    this.ring[this.head] = record;
    this.head = (this.head + 1) % this.capacity;
  }

  /** Oldest first; `limit` keeps the newest ones. */
  list(provider?: RecordedProvider, limit?: number): RecordedRequest[] {
    const ordered =
      this.head === 0 ? this.ring : this.ring.slice(this.head).concat(this.ring.slice(0, this.head));
    let selected = provider ? ordered.filter((record) => record.provider === provider) : ordered;
    if (limit !== undefined && limit < selected.length) selected = selected.slice(selected.length - limit);
    return selected.map(toRecordedRequest);
  }

  /** Requests received since the last clear, including those the ring has dropped. */
  counts(): Record<RecordedProvider, number> {
    return { ...this.totals };
  }

  clear(): void {
    this.ring = [];
    this.head = 0;
    this.totals = emptyTotals();
  }
}

function toRecordedRequest(stored: StoredRequest): RecordedRequest {
  return {
    provider: stored.provider,
    method: stored.method,
    path: stored.path,
    headers: withoutPseudoHeaders(stored.headers),
    body: stored.form
      ? parseForm(stored.bodyText, stored.headers['content-type'])
      : parseJson(stored.bodyText),
    receivedAt: stored.receivedAt,
    httpVersion: stored.httpVersion,
    outcome: stored.outcome,
  };
}

/** Parsed JSON; the text itself when it is not JSON; undefined when empty. */
export function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Token endpoints take form fields; a JSON object is accepted too, as Google's endpoint does. */
export function parseForm(text: string, contentType: string | undefined): Record<string, string> {
  if (contentType?.includes('json')) {
    const parsed = parseJson(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export function withoutPseudoHeaders(headers: IncomingHttpHeaders): HeaderMap {
  const copy: HeaderMap = {};
  for (const key in headers) {
    const value = headers[key];
    if (key.charCodeAt(0) !== 58 /* ':' */ && value !== undefined) copy[key] = value;
  }
  return copy;
}

function emptyTotals(): Record<RecordedProvider, number> {
  return Object.fromEntries(RECORDED_PROVIDERS.map((provider) => [provider, 0])) as Record<
    RecordedProvider,
    number
  >;
}
