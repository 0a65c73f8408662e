import { PushNotification } from '../push-provider';

/** FCM's limit for the payload of one message (data plus notification; APNs payloads have the same limit). */
export const FCM_MAX_PAYLOAD_BYTES = 4096;

/** Android TTLs of 28 days or more are not set (FCM's maximum), as in the original. */
const MAX_TTL_SECONDS = 2_419_200;

export interface FcmAndroidNotification {
  title?: string;
  body?: string;
  title_loc_key?: string;
  title_loc_args?: string[];
  body_loc_key?: string;
  body_loc_args?: string[];
  icon?: string;
  sound?: string;
  tag?: string;
  notification_priority: 'PRIORITY_HIGH' | 'PRIORITY_DEFAULT';
  notification_count?: number;
}

/** The `message` of an FCM HTTP v1 send request, without its `token`. */
export interface FcmMessageContent {
  data?: Record<string, string>;
  android?: { collapse_key?: string; ttl?: string; notification?: FcmAndroidNotification };
  apns: {
    headers: { 'apns-priority': '10' | '5'; 'apns-push-type': 'alert' | 'background' };
    payload: { aps: Record<string, unknown> };
  };
}

export interface FcmSendRequest {
  message: { token: string } & FcmMessageContent;
}

export interface FcmMessageOptions {
  /** FCM_DATA_NOTIFICATION_ONLY: the notification goes as JSON text into data._notification. */
  dataNotificationOnly: boolean;
  /** The instant the TTL is counted from. */
  now?: Date;
}

/**
 * The FCM HTTP v1 message of compat notes §3.2, with three documented fixes: extras that are objects become JSON
 * (not Java toString text), null extras are dropped (not a crash), and the Android TTL is in real seconds (not
 * seconds / 1000). Localized args without their key are left out (the original failed). Empty objects, empty
 * arrays and absent values are omitted.
 */
export function buildFcmMessage(
  notification: PushNotification,
  options: FcmMessageOptions,
): FcmMessageContent {
  const { content, silent } = notification;
  const androidNotification = buildAndroidNotification(notification);

  const data = stringValues(content.extras);
  if (options.dataNotificationOnly) {
    // The original serializes the notification even for silent messages.
    data._notification = JSON.stringify(androidNotification);
  }

  const android = omitEmpty({
    collapse_key: content.collapseKey,
    ttl: androidTtl(content.validUntil, options.now ?? new Date()),
    notification: silent || options.dataNotificationOnly ? undefined : androidNotification,
  });

  const message: FcmMessageContent = {
    apns: {
      headers: {
        // Silent pushes go with priority 5: APNs rejects background pushes with priority 10.
        'apns-priority': notification.priority === 'HIGH' && !silent ? '10' : '5',
        'apns-push-type': silent ? 'background' : 'alert',
      },
      payload: { aps: buildAps(notification) },
    },
  };
  if (Object.keys(data).length > 0) message.data = data;
  if (android) message.android = android;
  return message;
}

/** The request body for one device. */
export function fcmSendRequest(token: string, content: FcmMessageContent): FcmSendRequest {
  return { message: { token, ...content } };
}

/**
 * The bytes FCM counts against its 4096-byte limit: the Android part (data plus the notification) and the APNs
 * payload are each limited on their own, so this is the larger of the two JSON sizes. The token, headers and
 * other envelope fields do not count.
 */
export function fcmPayloadBytes(content: FcmMessageContent): number {
  const androidPart = { data: content.data ?? {}, notification: content.android?.notification ?? {} };
  return Math.max(jsonBytes(androidPart), jsonBytes(content.apns.payload));
}

function buildAndroidNotification({ content, priority }: PushNotification): FcmAndroidNotification {
  return omitEmpty({
    title: content.title,
    body: content.body,
    title_loc_key: content.titleLocKey,
    title_loc_args: content.titleLocKey ? nonEmpty(content.titleLocArgs) : undefined,
    body_loc_key: content.bodyLocKey,
    body_loc_args: content.bodyLocKey ? nonEmpty(content.bodyLocArgs) : undefined,
    icon: content.icon,
    sound: content.sound,
    tag: content.category,
    notification_priority: priority === 'HIGH' ? 'PRIORITY_HIGH' : 'PRIORITY_DEFAULT',
    notification_count: content.badge,
  }) as FcmAndroidNotification;
}

function buildAps({ content, silent }: PushNotification): Record<string, unknown> {
  const standard = omitEmpty({
    alert: silent
      ? undefined
      : omitEmpty({
          title: content.title,
          body: content.body,
          'loc-key': content.bodyLocKey,
          'loc-args': content.bodyLocKey ? nonEmpty(content.bodyLocArgs) : undefined,
          'title-loc-key': content.titleLocKey,
          'title-loc-args': content.titleLocKey ? nonEmpty(content.titleLocArgs) : undefined,
        }),
    sound: silent ? undefined : content.sound,
    category: silent ? undefined : content.category,
    badge: content.badge,
    'content-available': silent ? 1 : undefined,
    'thread-id': content.collapseKey,
  });
  // Extras go inside aps, as in the original; a standard field wins over an extra of the same name.
  return { ...stringValues(content.extras), ...standard };
}

/** Seconds until validUntil as FCM's duration text, when within FCM's window. */
function androidTtl(validUntil: Date | undefined, now: Date): string | undefined {
  if (!validUntil) return undefined;
  const seconds = Math.floor((validUntil.getTime() - now.getTime()) / 1000);
  return seconds > 0 && seconds < MAX_TTL_SECONDS ? `${seconds}s` : undefined;
}

/** FCM data values must be strings: text as is, numbers and booleans as text, objects as JSON; nulls dropped. */
function stringValues(extras: Record<string, unknown> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(extras ?? {})) {
    if (value === null || value === undefined) continue;
    result[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return result;
}

function nonEmpty(values: string[] | undefined): string[] | undefined {
  return values && values.length > 0 ? values : undefined;
}

/** The object without undefined fields; undefined when nothing is left. */
function omitEmpty<T extends Record<string, unknown>>(object: T): T | undefined {
  const entries = Object.entries(object).filter(([, value]) => value !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
