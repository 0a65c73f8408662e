import { ApnsAnswer } from '../../src/providers/apns/apns-http2.client';
import { ApnsOutcomeClassifier } from '../../src/providers/apns/apns-outcome.classifier';

const classifier = new ApnsOutcomeClassifier();
const answer = (
  status: number,
  reason?: string,
  extra: { apnsId?: string; retryAfter?: string } = {},
): ApnsAnswer => ({
  kind: 'response',
  status,
  reason,
  ...extra,
});

describe('ApnsOutcomeClassifier', () => {
  it.each([
    [answer(200, undefined, { apnsId: 'id-1' }), { status: 'delivered', providerMessageId: 'id-1' }],
    [answer(410, 'Unregistered'), { status: 'invalid-token', reason: 'APNs 410 Unregistered' }],
    [answer(410, 'ExpiredToken'), { status: 'invalid-token', reason: 'APNs 410 ExpiredToken' }],
    [answer(400, 'BadDeviceToken'), { status: 'invalid-token', reason: 'APNs 400 BadDeviceToken' }],
    [
      answer(400, 'DeviceTokenNotForTopic'),
      { status: 'invalid-token', reason: 'APNs 400 DeviceTokenNotForTopic' },
    ],
    [
      answer(403, 'ExpiredProviderToken'),
      { status: 'failed', reason: 'APNs 403 ExpiredProviderToken', credentialsFailing: true },
    ],
    [
      answer(403, 'InvalidProviderToken'),
      { status: 'failed', reason: 'APNs 403 InvalidProviderToken', credentialsFailing: true },
    ],
    [answer(403), { status: 'failed', reason: 'APNs 403', credentialsFailing: true }],
    [
      answer(400, 'TopicDisallowed'),
      { status: 'failed', reason: 'APNs 400 TopicDisallowed', credentialsFailing: true },
    ],
    [answer(400, 'BadTopic'), { status: 'failed', reason: 'APNs 400 BadTopic', credentialsFailing: true }],
    [
      answer(400, 'MissingTopic'),
      { status: 'failed', reason: 'APNs 400 MissingTopic', credentialsFailing: true },
    ],
    [answer(429, 'TooManyRequests'), { status: 'retryable', reason: 'APNs 429 TooManyRequests' }],
    [
      answer(429, 'TooManyRequests', { retryAfter: '30' }),
      { status: 'retryable', reason: 'APNs 429 TooManyRequests', retryAfterMs: 30000 },
    ],
    [answer(500, 'InternalServerError'), { status: 'retryable', reason: 'APNs 500 InternalServerError' }],
    [answer(503, 'ServiceUnavailable'), { status: 'retryable', reason: 'APNs 503 ServiceUnavailable' }],
    [answer(503, 'Shutdown'), { status: 'retryable', reason: 'APNs 503 Shutdown' }],
    [answer(400, 'BadPriority'), { status: 'failed', reason: 'APNs 400 BadPriority' }],
    [answer(413, 'PayloadTooLarge'), { status: 'failed', reason: 'APNs 413 PayloadTooLarge' }],
    [answer(405, 'MethodNotAllowed'), { status: 'failed', reason: 'APNs 405 MethodNotAllowed' }],
    [
      { kind: 'transport-error', reason: 'APNs connection failed: ECONNREFUSED' } as ApnsAnswer,
      { status: 'retryable', reason: 'APNs connection failed: ECONNREFUSED' },
    ],
  ])('%j → %j', (input, expected) => {
    expect(classifier.classify(input)).toEqual(expected);
  });

  it('reads Retry-After as an HTTP date too', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(
      classifier.classify(
        answer(503, 'ServiceUnavailable', { retryAfter: 'Tue, 01 Jan 2030 00:00:10 GMT' }),
        now,
      ),
    ).toEqual({ status: 'retryable', reason: 'APNs 503 ServiceUnavailable', retryAfterMs: 10000 });
    expect(classifier.classify(answer(429, undefined, { retryAfter: 'soon' }), now)).toEqual({
      status: 'retryable',
      reason: 'APNs 429',
    });
  });
});
