import { PushNotification } from '../push-provider';

/** Push Kit's limit on one message (notification, data and options; the token list is not counted). */
export const HMS_MAX_MESSAGE_BYTES = 4096;

/** Push Kit accepts at most this many tokens in one request. */
export const HMS_MAX_TOKENS_PER_REQUEST = 1000;

/** Like FCM: a validUntil further out than 28 days is left to the provider's default TTL. */
const ANDROID_TTL_SECONDS_MAX = 2_419_200;

/** Push Kit `click_action.type` 3: open the app's launcher activity. */
const CLICK_ACTION_START_APP = 3;

export interface HmsAndroidNotification {
  title?: string;
  body?: string;
  icon?: string;
  sound?: string;
  default_sound: boolean;
  tag?: string;
  click_action: { type: number };
  body_loc_key?: string;
  body_loc_args: string[];
  title_loc_key?: string;
  title_loc_args: string[];
  badge?: { set_num: number };
  auto_cancel: boolean;
  importance: 'HIGH' | 'NORMAL';
  use_default_vibrate: boolean;
  use_default_light: boolean;
  foreground_show: boolean;
}

export interface HmsAndroidConfig {
  collapse_key?: number;
  ttl?: string;
  notification?: HmsAndroidNotification;
}

export interface HmsMessage {
  data?: string;
  android: HmsAndroidConfig;
  token: string[];
}

/**
 * The Push Kit message of compat notes §3.3 for the given tokens. Null and absent fields are left out (the original
 * may have sent them as JSON null; Push Kit treats both alike).
 */
export function buildHmsMessage(
  notification: PushNotification,
  tokens: string[],
  now: Date = new Date(),
): HmsMessage {
  const { content, silent, priority } = notification;
  const android: HmsAndroidConfig = {};

  const collapseKey = parseCollapseKey(content.collapseKey);
  if (collapseKey !== undefined) android.collapse_key = collapseKey;

  const ttl = ttlSeconds(content.validUntil, now);
  if (ttl !== undefined) android.ttl = String(ttl);

  if (!silent) {
    const androidNotification: HmsAndroidNotification = {
      default_sound: false,
      click_action: { type: CLICK_ACTION_START_APP },
      // The original always sends the loc-args lists, empty when not given.
      body_loc_args: content.bodyLocArgs ?? [],
      title_loc_args: content.titleLocArgs ?? [],
      auto_cancel: false,
      importance: priority === 'NORMAL' ? 'NORMAL' : 'HIGH',
      use_default_vibrate: false,
      use_default_light: false,
      foreground_show: false,
    };
    setIfPresent(androidNotification, 'title', content.title);
    setIfPresent(androidNotification, 'body', content.body);
    setIfPresent(androidNotification, 'icon', content.icon);
    setIfPresent(androidNotification, 'sound', content.sound);
    setIfPresent(androidNotification, 'tag', content.category);
    setIfPresent(androidNotification, 'title_loc_key', content.titleLocKey);
    setIfPresent(androidNotification, 'body_loc_key', content.bodyLocKey);
    // 2.1.0 behaviour: the badge sets the launcher icon's number.
    if (content.badge !== undefined && content.badge !== null) {
      androidNotification.badge = { set_num: content.badge };
    }
    android.notification = androidNotification;
  }

  const message: HmsMessage = { android, token: tokens };
  const data = serializeExtras(content.extras);
  if (data !== undefined) message.data = data;
  return message;
}

/** The size Push Kit limits: the message as JSON without its token list. */
export function hmsMessageBytes(message: HmsMessage): number {
  const { token: _token, ...withoutTokens } = message;
  return Buffer.byteLength(JSON.stringify(withoutTokens), 'utf8');
}

/**
 * The original parses the collapse key as a Java Integer and fails the whole send (500) on anything else; here a
 * value that is not a 32-bit decimal integer is left out instead.
 */
export function parseCollapseKey(value: string | null | undefined): number | undefined {
  if (value === undefined || value === null || !/^[+-]?\d{1,10}$/.test(value)) return undefined;
  const parsed = Number(value);
  return parsed >= -2_147_483_648 && parsed <= 2_147_483_647 ? parsed : undefined;
}

/** Whole seconds until validUntil (truncated like Java's Duration.toSeconds), only inside Push Kit's window. */
export function ttlSeconds(validUntil: Date | null | undefined, now: Date): number | undefined {
  if (!validUntil) return undefined;
  const seconds = Math.trunc((validUntil.getTime() - now.getTime()) / 1000);
  return seconds > 0 && seconds < ANDROID_TTL_SECONDS_MAX ? seconds : undefined;
}

/** Extras as one JSON string; null values are dropped and no string is made when nothing is left. */
function serializeExtras(extras: Record<string, unknown> | null | undefined): string | undefined {
  if (!extras) return undefined;
  const kept = Object.entries(extras).filter(([, value]) => value !== null && value !== undefined);
  return kept.length === 0 ? undefined : JSON.stringify(Object.fromEntries(kept));
}

function setIfPresent<K extends keyof HmsAndroidNotification>(
  target: HmsAndroidNotification,
  key: K,
  value: HmsAndroidNotification[K] | null | undefined,
): void {
  if (value !== undefined && value !== null) target[key] = value;
}
