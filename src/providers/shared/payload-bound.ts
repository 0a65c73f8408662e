import { APNS_MAX_PAYLOAD_BYTES } from '../apns/apns-payload.builder';
import { FCM_MAX_PAYLOAD_BYTES } from '../fcm/fcm-message.builder';
import { HMS_MAX_MESSAGE_BYTES } from '../hms/hms-message.mapper';

const SMALLEST_LIMIT = Math.min(APNS_MAX_PAYLOAD_BYTES, FCM_MAX_PAYLOAD_BYTES, HMS_MAX_MESSAGE_BYTES);

/**
 * At least as many bytes as any provider's payload (what its `checkPayload` measures) for a notification whose
 * content is `contentBytes` of JSON (UTF-8, as stored in push_message_content). Each content field goes into a
 * payload once, or JSON-encoded once more (FCM and HMS data values, FCM's `_notification`), which at most doubles
 * it; the rest is a fixed set of keys and constants. Checked against the real builders by a property test
 * (test/providers/payload-bound.spec.ts), with a margin on both terms.
 */
export function payloadBytesBound(contentBytes: number): number {
  return 3 * contentBytes + 1024;
}

/** True when a notification this small fits every provider: its payloads need not be built to know. */
export function fitsEveryProvider(contentBytes: number): boolean {
  return payloadBytesBound(contentBytes) <= SMALLEST_LIMIT;
}
