import {
  credentialsFailure,
  notConfiguredOutcomes,
  payloadSizeProblem,
  retryableOutcome,
} from '../../src/providers/shared/delivery-outcomes';

describe('delivery outcomes shared by the adapters', () => {
  it('flags the app, once per target, when the platform is not configured', () => {
    expect(notConfiguredOutcomes('HMS', [{ token: 'a' }, { token: 'b' }])).toEqual([
      { status: 'failed', reason: 'HMS is not configured for this app', credentialsFailing: true },
      { status: 'failed', reason: 'HMS is not configured for this app', credentialsFailing: true },
    ]);
    expect(notConfiguredOutcomes('FCM', [])).toEqual([]);
    expect(credentialsFailure('bad key')).toEqual({
      status: 'failed',
      reason: 'bad key',
      credentialsFailing: true,
    });
  });

  it('carries retryAfterMs only when there is one', () => {
    expect(retryableOutcome('busy', 7000)).toStrictEqual({
      status: 'retryable',
      reason: 'busy',
      retryAfterMs: 7000,
    });
    expect(retryableOutcome('busy', 0)).toStrictEqual({
      status: 'retryable',
      reason: 'busy',
      retryAfterMs: 0,
    });
    expect(retryableOutcome('busy', undefined)).toStrictEqual({ status: 'retryable', reason: 'busy' });
  });

  it('names a payload over the limit, and nothing at the limit', () => {
    expect(payloadSizeProblem('APNs', 4096, 4096)).toBeUndefined();
    expect(payloadSizeProblem('APNs', 4097, 4096)).toBe(
      'Push message is too large for APNs: 4097 bytes, at most 4096',
    );
  });
});
