import { PushContent, PushNotification } from '../push-provider';

/** Apple's limit for the JSON payload of a regular (non-VoIP) notification. */
export const APNS_MAX_PAYLOAD_BYTES = 4096;

/** Headers and body of one APNs request, the same for every device of a send. */
export interface ApnsRequest {
  headers: {
    'apns-topic': string;
    'apns-push-type': 'alert' | 'background';
    'apns-priority': '10' | '5';
    'apns-expiration': string;
    'apns-collapse-id'?: string;
  };
  body: string;
}

export type ApnsPayload = { aps: Record<string, unknown> } & Record<string, unknown>;

/**
 * The APNs request of compat notes §3.1 (the original's ApnsPayloadGenerator), with one documented fix: a silent
 * push always goes with apns-priority 5, because Apple rejects or throttles background pushes sent with 10.
 */
export class ApnsPayloadBuilder {
  build(bundle: string, notification: PushNotification): ApnsRequest {
    const { content, silent, priority } = notification;
    const headers: ApnsRequest['headers'] = {
      'apns-topic': bundle,
      'apns-push-type': silent ? 'background' : 'alert',
      'apns-priority': silent || priority === 'NORMAL' ? '5' : '10',
      // 0 = deliver once, no storage at Apple, as the original does without validUntil.
      'apns-expiration': String(content.validUntil ? Math.floor(content.validUntil.getTime() / 1000) : 0),
    };
    if (present(content.collapseKey)) headers['apns-collapse-id'] = content.collapseKey;
    return { headers, body: JSON.stringify(this.payload(notification)) };
  }

  /** The JSON body: `aps` plus the extras as top-level keys. */
  payload(notification: PushNotification): ApnsPayload {
    const { content, silent } = notification;
    const aps: Record<string, unknown> = {};
    if (present(content.badge)) aps.badge = content.badge;
    if (!silent) {
      const alert = this.alert(content);
      if (Object.keys(alert).length > 0) aps.alert = alert;
      if (present(content.sound)) aps.sound = content.sound;
      if (present(content.category)) aps.category = content.category;
    } else {
      aps['content-available'] = 1;
    }
    if (present(content.collapseKey)) aps['thread-id'] = content.collapseKey;

    const payload: ApnsPayload = { aps };
    for (const [key, value] of Object.entries(content.extras ?? {})) {
      // Apple rejects null custom values (original #675); an extra cannot replace the aps dictionary.
      if (value === null || value === undefined || key === 'aps') continue;
      payload[key] = value;
    }
    return payload;
  }

  private alert(content: PushContent): Record<string, unknown> {
    const alert: Record<string, unknown> = {};
    if (present(content.title)) alert.title = content.title;
    if (present(content.titleLocKey)) {
      alert['title-loc-key'] = content.titleLocKey;
      if (content.titleLocArgs?.length) alert['title-loc-args'] = content.titleLocArgs;
    }
    if (present(content.body)) alert.body = content.body;
    if (present(content.bodyLocKey)) {
      alert['loc-key'] = content.bodyLocKey;
      if (content.bodyLocArgs?.length) alert['loc-args'] = content.bodyLocArgs;
    }
    return alert;
  }
}

// Values from JSON requests can be null as well as absent.
function present<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}
