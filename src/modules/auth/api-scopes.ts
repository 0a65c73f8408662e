/**
 * What an API client may do. Every route declares one scope (or is public); a client holds a list of them.
 * `status-callback` is the PowerAuth server's activation status callback (`/push/device/status/update`).
 */
export const API_SCOPES = [
  'admin',
  'device',
  'push',
  'campaign',
  'inbox',
  'status-callback',
  'metrics',
] as const;

export type ApiScope = (typeof API_SCOPES)[number];

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}
