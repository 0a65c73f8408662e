/**
 * A provider answer's JSON object: parsed from text, or taken as a client library already parsed it. Anything else
 * (not JSON, an array, a number, null) is undefined, so a proxy's HTML page reads as "no body".
 */
export function jsonObject(value: unknown): Record<string, unknown> | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}
