import { DeliveryOutcome, DeviceTarget } from '../push-provider';

/** A final failure about the app's own credentials or configuration: the app is flagged, its devices are kept. */
export function credentialsFailure(reason: string): DeliveryOutcome {
  return { status: 'failed', reason, credentialsFailing: true };
}

/** One outcome per target when the app has no credentials for the platform (`platformName`: "APNs", "FCM", "HMS"). */
export function notConfiguredOutcomes(platformName: string, targets: DeviceTarget[]): DeliveryOutcome[] {
  return targets.map(() => credentialsFailure(`${platformName} is not configured for this app`));
}

/** A retryable outcome that carries `retryAfterMs` only when the provider named a delay. */
export function retryableOutcome(reason: string, retryAfterMs: number | undefined): DeliveryOutcome {
  return retryAfterMs === undefined
    ? { status: 'retryable', reason }
    : { status: 'retryable', reason, retryAfterMs };
}

/** checkPayload's answer for a payload of `bytes`, in the same words on every platform. */
export function payloadSizeProblem(
  platformName: string,
  bytes: number,
  maxBytes: number,
): string | undefined {
  return bytes > maxBytes
    ? `Push message is too large for ${platformName}: ${bytes} bytes, at most ${maxBytes}`
    : undefined;
}
