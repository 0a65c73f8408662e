import fc from 'fast-check';
import { ApnsPayloadBuilder } from '../../src/providers/apns/apns-payload.builder';
import { buildFcmMessage, fcmPayloadBytes } from '../../src/providers/fcm/fcm-message.builder';
import { buildHmsMessage, hmsMessageBytes } from '../../src/providers/hms/hms-message.mapper';
import { PushContent, PushNotification } from '../../src/providers/push-provider';
import { fitsEveryProvider, payloadBytesBound } from '../../src/providers/shared/payload-bound';
import { encodeContent } from '../../src/modules/message/delivery/push-content.codec';

/**
 * MessageService skips building the providers' payloads for a notification whose content is small enough
 * (`fitsEveryProvider`). That is only safe while `payloadBytesBound` is at least what every provider's check measures,
 * for any content: this checks it against the real builders, with the characters JSON escapes (twice, where a value
 * is JSON inside JSON) and free-form extras.
 */

const apns = new ApnsPayloadBuilder();
const now = new Date('2026-01-01T00:00:00Z');

/** What each provider's checkPayload measures for the notification, in bytes. */
function measuredBytes(notification: PushNotification): Record<string, number> {
  return {
    apns: Buffer.byteLength(JSON.stringify(apns.payload(notification)), 'utf8'),
    fcm: fcmPayloadBytes(buildFcmMessage(notification, { dataNotificationOnly: false, now })),
    fcmDataOnly: fcmPayloadBytes(buildFcmMessage(notification, { dataNotificationOnly: true, now })),
    hms: hmsMessageBytes(buildHmsMessage(notification, [], now)),
  };
}

const contentBytes = (content: PushContent) => Buffer.byteLength(encodeContent(content), 'utf8');

// What JSON escapes (quote, backslash, controls, U+2028, a lone surrogate) and what UTF-8 widens.
const awkward = fc.constantFrom('"', '\\', '\u0000', '\u001f', '\n', '\u2028', '\ud800', 'é', '€', '😀', 'a');
const text = fc.oneof(
  fc.string({ unit: awkward, maxLength: 300 }),
  fc.string({ unit: fc.constantFrom('"', '\\'), maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ maxLength: 60 }),
);
const content: fc.Arbitrary<PushContent> = fc.record(
  {
    title: text,
    titleLocKey: text,
    titleLocArgs: fc.array(text, { maxLength: 5 }),
    body: text,
    bodyLocKey: text,
    bodyLocArgs: fc.array(text, { maxLength: 5 }),
    badge: fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }),
    sound: text,
    icon: text,
    category: text,
    collapseKey: fc.oneof(text, fc.integer().map(String)),
    validUntil: fc.integer({ min: -3600, max: 40 * 86400 }).map((s) => new Date(now.getTime() + s * 1000)),
    extras: fc.dictionary(
      fc.oneof(text, fc.constantFrom('aps', '_notification')),
      fc.jsonValue({ maxDepth: 3 }),
      {
        maxKeys: 8,
      },
    ),
  },
  { requiredKeys: [] },
);
const notification: fc.Arbitrary<PushNotification> = fc.record({
  content,
  silent: fc.boolean(),
  priority: fc.constantFrom('HIGH' as const, 'NORMAL' as const),
});

describe('payloadBytesBound', () => {
  it('is at least what every provider measures, for any content', () => {
    fc.assert(
      fc.property(notification, (n) => {
        const bound = payloadBytesBound(contentBytes(n.content));
        for (const [provider, bytes] of Object.entries(measuredBytes(n))) {
          if (bytes > bound) throw new Error(`${provider}: ${bytes} bytes > bound ${bound}`);
        }
      }),
      { numRuns: 3000, seed: 20261122 },
    );
  });

  it('holds for the contents that cost the most per byte: quotes in every field, twice-encoded extras', () => {
    const quotes = (n: number) => '"'.repeat(n);
    const worst: PushContent = {
      title: quotes(200),
      body: quotes(200),
      titleLocKey: quotes(20),
      titleLocArgs: [quotes(10), quotes(10)],
      bodyLocKey: quotes(20),
      bodyLocArgs: [quotes(10), quotes(10)],
      sound: quotes(10),
      icon: quotes(10),
      category: quotes(10),
      collapseKey: '7',
      badge: -2_147_483_648,
      validUntil: new Date(now.getTime() + 3600_000),
      extras: { [quotes(5)]: { [quotes(5)]: [quotes(30), 1, true] }, n: 1, b: false },
    };
    for (const silent of [false, true]) {
      const n: PushNotification = { content: worst, silent, priority: 'HIGH' };
      const bound = payloadBytesBound(contentBytes(worst));
      for (const bytes of Object.values(measuredBytes(n))) expect(bytes).toBeLessThanOrEqual(bound);
    }
    // Empty content: only the constant part.
    expect(
      Math.max(...Object.values(measuredBytes({ content: {}, silent: false, priority: 'HIGH' }))),
    ).toBeLessThan(payloadBytesBound(2));
  });

  it('lets a usual approval message skip the payload builds, and a content of over 1 KB not', () => {
    const approval: PushContent = {
      title: 'Approve login?',
      body: 'Sign-in to Internet banking from Chrome, Prague',
    };
    expect(fitsEveryProvider(contentBytes(approval))).toBe(true);
    expect(fitsEveryProvider(1024)).toBe(true);
    expect(fitsEveryProvider(1025)).toBe(false);
  });
});
