import { DeliveryOutcome } from '../push-provider';
import { retryableOutcome } from '../shared/delivery-outcomes';
import { retryAfterMs } from '../shared/retry-after';
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
      return retryableOutcome(reason, retryAfterMs(answer.retryAfter, now.getTime()));
    }
    return { status: 'failed', reason };
  }
}
