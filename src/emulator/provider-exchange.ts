import { IncomingHttpHeaders } from 'node:http';
import { BehaviourRegistry } from './behaviour-registry';
import { CredentialStore } from './credential-store';

/** One request as the handlers see it, whatever the HTTP version. */
export interface ProviderRequest {
  method: string;
  /** Without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case keys; on HTTP/2 the pseudo-headers are included. */
  headers: IncomingHttpHeaders;
  httpVersion: '1.1' | '2.0';
  rawBody: Buffer;
  /** Parsed JSON / form fields / raw text, as recorded. */
  body: unknown;
  /** Capture groups of the route (undefined for a group that did not take part). */
  params: (string | undefined)[];
  /** Epoch milliseconds at receipt. */
  now: number;
}

/** What to answer. An object body is sent as JSON, a string as it is, none as an empty body. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Answer after this many milliseconds (the `slow` behaviour). */
  delayMs?: number;
}

export interface HandlerContext {
  credentials: CredentialStore;
  behaviours: BehaviourRegistry;
  /** Token URLs a JWT `aud` may name: the emulator's own FCM token URL, by IP and by `localhost`. */
  fcmAudiences: ReadonlySet<string>;
}

export function headerValue(request: ProviderRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an `Authorization: Bearer …` header (scheme case-insensitive); '' when the scheme differs. */
export function bearerToken(request: ProviderRequest): string | undefined {
  const value = headerValue(request, 'authorization');
  if (value === undefined || value === '') return undefined;
  // No regular expression: this runs for every push request.
  const space = value.indexOf(' ');
  if (space !== 6 || value.slice(0, 6).toLowerCase() !== 'bearer') return '';
  const token = value.slice(7).trim();
  return token.includes(' ') ? '' : token;
}

export function retryAfterHeader(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}
