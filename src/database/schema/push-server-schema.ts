import { TableSpec } from './schema-spec';

/**
 * What this server adds to the PowerAuth schema. Additive only (new tables, nullable or defaulted columns), so
 * PowerAuth nodes sharing the database keep working.
 */
export const DELIVERY_TABLES: TableSpec[] = [
  {
    // Columns that make push_message a durable send queue. Rows without content_id were written by PowerAuth.
    name: 'push_message',
    columns: [
      { name: 'content_id', type: 'integer', nullable: true },
      { name: 'attempts', type: 'integer', default: 0 },
      { name: 'next_attempt_at', type: 'timestamp', nullable: true },
      { name: 'lease_owner', type: 'varchar', length: 64, nullable: true },
      { name: 'provider_message_id', type: 'varchar', length: 255, nullable: true },
      { name: 'last_error', type: 'varchar', length: 1024, nullable: true },
      { name: 'timestamp_finished', type: 'timestamp', nullable: true },
    ],
    indexes: [{ name: 'push_message_pending', columns: ['status', 'next_attempt_at'] }],
  },
  {
    // One row per message sent to many devices: the full body, which push_message.message_body (2048) may not hold.
    name: 'push_message_content',
    sequence: 'push_message_content_seq',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'app_id', type: 'integer' },
      { name: 'body', type: 'longtext' },
      { name: 'priority', type: 'varchar', length: 16 },
      { name: 'is_silent', type: 'boolean', default: false },
      { name: 'is_personal', type: 'boolean', default: false },
      { name: 'valid_until', type: 'timestamp', nullable: true },
      { name: 'timestamp_created', type: 'timestamp' },
    ],
    indexes: [],
  },
  {
    // Credentials a provider refused: the app is flagged until the credentials change or a send succeeds.
    name: 'push_app_credentials_status',
    columns: [
      { name: 'app_credentials_id', type: 'integer' },
      { name: 'platform', type: 'varchar', length: 16 },
      { name: 'failing_reason', type: 'varchar', length: 1024 },
      { name: 'failing_since', type: 'timestamp' },
    ],
    primaryKey: ['app_credentials_id', 'platform'],
    indexes: [],
  },
];

/** Live campaign sends as resumable background runs. */
export const CAMPAIGN_RUN_TABLES: TableSpec[] = [
  {
    // The campaign a row was sent for: progress counts, and what a resumed run must not send again.
    name: 'push_message',
    columns: [{ name: 'campaign_id', type: 'integer', nullable: true }],
    indexes: [
      { name: 'push_message_campaign', columns: ['campaign_id', 'status'] },
      // MySQL has no INSERT … RETURNING: the ids of a multi-row insert are read back through this index.
      { name: 'push_message_content_device', columns: ['content_id', 'device_registration_id'] },
    ],
  },
  {
    // One live send of a campaign: its state, how far it got (users in key order), and the node running it.
    name: 'push_campaign_run',
    columns: [
      { name: 'campaign_id', type: 'integer' },
      { name: 'state', type: 'varchar', length: 16 },
      { name: 'content_id', type: 'integer' },
      { name: 'cursor_user_id', type: 'varchar', length: 255, nullable: true },
      { name: 'users_done', type: 'boolean', default: false },
      { name: 'lease_owner', type: 'varchar', length: 64, nullable: true },
      { name: 'lease_until', type: 'timestamp', nullable: true },
      { name: 'last_error', type: 'varchar', length: 1024, nullable: true },
      { name: 'timestamp_queued', type: 'timestamp' },
      { name: 'timestamp_finished', type: 'timestamp', nullable: true },
    ],
    primaryKey: ['campaign_id'],
    indexes: [{ name: 'push_campaign_run_state', columns: ['state'] }],
  },
];

/**
 * Indexes for the inbox list and count with millions of messages (docs/inbox.md explains the query plans). The
 * tables are PowerAuth's (POWERAUTH_TABLES); only indexes are added, under names of our own.
 */
export const INBOX_INDEXES: TableSpec[] = [
  {
    name: 'push_inbox',
    columns: [],
    indexes: [
      // The list, newest first: the user's rows in (timestamp_created, id) order, read backwards up to the page.
      { name: 'push_inbox_user_created', columns: ['user_id', 'timestamp_created', 'id'] },
      // The same for onlyUnread=true.
      { name: 'push_inbox_user_read_created', columns: ['user_id', 'is_read', 'timestamp_created', 'id'] },
    ],
  },
  {
    // The primary key (app_credentials_id, inbox_id) leads with the app. This one answers, per message, "is it in one
    // of these apps" (list, count, read-all) and "which apps is it in" (detail, read) without scanning an app's links.
    name: 'push_inbox_app',
    columns: [],
    indexes: [{ name: 'push_inbox_app_inbox', columns: ['inbox_id', 'app_credentials_id'] }],
  },
];

/** API clients that may call the server, and the audit log of what they changed. */
export const SECURITY_TABLES: TableSpec[] = [
  {
    // The secret is stored only as a slow salted hash (scrypt); key_id is what a caller presents with it.
    name: 'push_api_client',
    sequence: 'push_api_client_seq',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'name', type: 'varchar', length: 64 },
      { name: 'key_id', type: 'varchar', length: 64 },
      { name: 'secret_hash', type: 'varchar', length: 255 },
      { name: 'scopes', type: 'varchar', length: 255 },
      // JSON array of app ids (push_app_credentials.app_id) the client may act on; null = every app.
      { name: 'app_ids', type: 'text', nullable: true },
      { name: 'timestamp_created', type: 'timestamp' },
      { name: 'timestamp_rotated', type: 'timestamp', nullable: true },
      { name: 'timestamp_last_used', type: 'timestamp', nullable: true },
      { name: 'timestamp_revoked', type: 'timestamp', nullable: true },
    ],
    indexes: [
      { name: 'push_api_client_name', columns: ['name'], unique: true },
      { name: 'push_api_client_key_id', columns: ['key_id'], unique: true },
    ],
  },
  {
    // Who changed what, when and from where; never secret values.
    name: 'push_audit_log',
    sequence: 'push_audit_log_seq',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'timestamp_created', type: 'timestamp' },
      { name: 'action', type: 'varchar', length: 64 },
      // The client's name and key id at the time; `cli:<os user>` or `server:bootstrap` for the tool and the first
      // start (no key id); null under AUTH_MODE=none.
      { name: 'client_name', type: 'varchar', length: 64, nullable: true },
      { name: 'client_key_id', type: 'varchar', length: 64, nullable: true },
      { name: 'address', type: 'varchar', length: 64, nullable: true },
      { name: 'app_id', type: 'varchar', length: 255, nullable: true },
      { name: 'resource', type: 'varchar', length: 255, nullable: true },
      { name: 'details', type: 'varchar', length: 2048, nullable: true },
    ],
    indexes: [
      { name: 'push_audit_log_created', columns: ['timestamp_created', 'id'] },
      { name: 'push_audit_log_app', columns: ['app_id', 'timestamp_created', 'id'] },
    ],
  },
];
