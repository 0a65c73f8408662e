/** What the audit log records; stable names, part of the admin API. */
export const AUDIT_ACTIONS = [
  'app.created',
  'app.credentials.updated',
  'app.credentials.removed',
  'campaign.sent',
  'device.deleted',
  'client.created',
  'client.rotated',
  'client.revoked',
  'credentials.re-encrypted',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
