/**
 * Milliseconds from a Retry-After header (delay seconds or an HTTP date, RFC 9110), when it has a usable value. Takes
 * whatever a client library hands over: a string, the first of repeated headers, or nothing.
 */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? (header[0] as unknown) : header;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  // A date in the past means "now", not a negative delay.
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
