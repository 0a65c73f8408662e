import { DeliveryOutcome } from '../push-provider';
import { ApnsAnswer } from './apns-http2.client';

/** 400 reasons that say the token is dead or belongs to another app: the device goes. */
const INVALID_TOKEN_REASONS = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic']);
/** 400 reasons about the app's bundle (topic): the app's configuration is wrong, the devices are fine. */
const TOPIC_REASONS = new Set(['TopicDisallowed', 'BadTopic', 'MissingTopic']);

/**
 * Maps one APNs answer to a delivery outcome. Unlike the original (compat notes §4.4), provider-token and topic
 * errors flag the app's credentials instead of deleting the device.
 */
export class ApnsOutcomeClassifier {
  classify(answer: ApnsAnswer, now: Date = new Date()): DeliveryOutcome {
    if (answer.kind === 'transport-error') return { status: 'retryable', reason: answer.reason };
    const { status, reason: apnsReason } = answer;
    const reason = apnsReason ? `APNs ${status} ${apnsReason}` : `APNs ${status}`;

    if (status === 200) return { status: 'delivered', providerMessageId: answer.apnsId };
    // 410 is Unregistered (or ExpiredToken): the app is gone from the device.
    if (status === 410) return { status: 'invalid-token', reason };
    if (status === 400 && apnsReason && INVALID_TOKEN_REASONS.has(apnsReason)) {
      return { status: 'invalid-token', reason };
    }
    // 403: ExpiredProviderToken (after our one resend), InvalidProviderToken, MissingProviderToken, ...
    if (status === 403 || (status === 400 && apnsReason && TOPIC_REASONS.has(apnsReason))) {
      return { status: 'failed', reason, credentialsFailing: true };
    }
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(answer.retryAfter, now);
      return retryAfterMs === undefined
        ? { status: 'retryable', reason }
        : { status: 'retryable', reason, retryAfterMs };
    }
    return { status: 'failed', reason };
  }
}

/** Retry-After as delay seconds or an HTTP date (RFC 9110), in milliseconds from `now`. */
function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}
