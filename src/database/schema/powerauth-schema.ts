import { TableSpec } from './schema-spec';

/**
 * The PowerAuth Push Server tables after its 1.10 migrations (compat notes section 2), column for column and index
 * for index, including the deprecated ios_* / android_* columns. Older PowerAuth nodes may share these tables, so
 * anything added here later must be a new table or a nullable/defaulted column.
 */
export const POWERAUTH_TABLES: TableSpec[] = [
  {
    name: 'push_app_credentials',
    sequence: 'push_credentials_seq',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'app_id', type: 'varchar', length: 255 },
      { name: 'ios_key_id', type: 'varchar', length: 255, nullable: true },
      { name: 'ios_private_key', type: 'binary', nullable: true },
      { name: 'ios_team_id', type: 'varchar', length: 255, nullable: true },
      { name: 'ios_bundle', type: 'varchar', length: 255, nullable: true },
      { name: 'ios_environment', type: 'varchar', length: 32, nullable: true },
      { name: 'android_private_key', type: 'binary', nullable: true },
      { name: 'android_project_id', type: 'varchar', length: 255, nullable: true },
      { name: 'hms_project_id', type: 'varchar', length: 255, nullable: true },
      { name: 'hms_client_id', type: 'varchar', length: 255, nullable: true },
      { name: 'hms_client_secret', type: 'varchar', length: 255, nullable: true },
      { name: 'timestamp_created', type: 'timestamp', default: 'now' },
      { name: 'timestamp_last_updated', type: 'timestamp', nullable: true },
      { name: 'apns_private_key', type: 'binary', nullable: true },
      { name: 'apns_team_id', type: 'varchar', length: 255, nullable: true },
      { name: 'apns_key_id', type: 'varchar', length: 255, nullable: true },
      { name: 'apns_bundle', type: 'varchar', length: 255, nullable: true },
      { name: 'apns_environment', type: 'varchar', length: 255, nullable: true },
      { name: 'fcm_private_key', type: 'binary', nullable: true },
      { name: 'fcm_project_id', type: 'varchar', length: 255, nullable: true },
    ],
    indexes: [{ name: 'push_app_cred_app', columns: ['app_id'], unique: true }],
  },
  {
    name: 'push_device_registration',
    sequence: 'push_device_registration_seq',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'activation_id', type: 'varchar', length: 37, nullable: true },
      { name: 'user_id', type: 'varchar', length: 255, nullable: true },
      { name: 'app_id', type: 'integer' },
      { name: 'platform', type: 'varchar', length: 255 },
      { name: 'push_token', type: 'varchar', length: 255 },
      { name: 'timestamp_last_registered', type: 'timestamp' },
      { name: 'is_active', type: 'boolean', nullable: true },
      { name: 'environment', type: 'varchar', length: 255, nullable: true },
    ],
    indexes: [
      { name: 'push_device_app_token', columns: ['app_id', 'push_token'] },
      { name: 'push_device_user_app', columns: ['user_id', 'app_id'] },
      { name: 'push_device_activation', columns: ['activation_id'], unique: true },
      { name: 'push_device_activation_token', columns: ['activation_id', 'push_token'], unique: true },
    ],
  },
  {
    name: 'push_message',
    sequence: 'push_message_seq',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'device_registration_id', type: 'integer' },
      { name: 'user_id', type: 'varchar', length: 255 },
      { name: 'activation_id', type: 'varchar', length: 37, nullable: true },
      { name: 'is_silent', type: 'boolean', default: false },
      { name: 'is_personal', type: 'boolean', default: false },
      { name: 'message_body', type: 'varchar', length: 2048 },
      { name: 'timestamp_created', type: 'timestamp' },
      { name: 'status', type: 'integer' },
    ],
    indexes: [{ name: 'push_message_status', columns: ['status'] }],
  },
  {
    name: 'push_campaign',
    sequence: 'push_campaign_seq',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'app_id', type: 'integer' },
      { name: 'message', type: 'varchar', length: 4000 },
      { name: 'is_sent', type: 'boolean', default: false },
      { name: 'timestamp_created', type: 'timestamp' },
      { name: 'timestamp_sent', type: 'timestamp', nullable: true },
      { name: 'timestamp_completed', type: 'timestamp', nullable: true },
    ],
    indexes: [{ name: 'push_campaign_sent', columns: ['is_sent'] }],
  },
  {
    name: 'push_campaign_user',
    sequence: 'push_campaign_user_seq',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'campaign_id', type: 'integer' },
      { name: 'user_id', type: 'varchar', length: 255 },
      { name: 'timestamp_created', type: 'timestamp' },
    ],
    indexes: [
      { name: 'push_campaign_user_campaign', columns: ['campaign_id', 'user_id'] },
      { name: 'push_campaign_user_detail', columns: ['user_id'] },
    ],
  },
  {
    name: 'push_inbox',
    sequence: 'push_inbox_seq',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'inbox_id', type: 'varchar', length: 37 },
      { name: 'user_id', type: 'varchar', length: 255 },
      { name: 'message_type', type: 'varchar', length: 32 },
      { name: 'subject', type: 'text' },
      { name: 'summary', type: 'text' },
      { name: 'body', type: 'longtext' },
      { name: 'is_read', type: 'boolean', default: false },
      { name: 'timestamp_created', type: 'timestamp' },
      { name: 'timestamp_read', type: 'timestamp', nullable: true },
    ],
    indexes: [
      { name: 'push_inbox_id', columns: ['inbox_id'] },
      { name: 'push_inbox_user', columns: ['user_id'] },
      { name: 'push_inbox_user_read', columns: ['user_id', 'is_read'] },
    ],
  },
  {
    name: 'push_inbox_app',
    columns: [
      { name: 'app_credentials_id', type: 'integer' },
      { name: 'inbox_id', type: 'integer' },
    ],
    primaryKey: ['app_credentials_id', 'inbox_id'],
    indexes: [],
  },
];
