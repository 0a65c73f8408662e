import { retryAfterMs } from '../../src/providers/shared/retry-after';

describe('retryAfterMs', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it('reads delay seconds and HTTP dates', () => {
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs(' 30 ', now)).toBe(30_000);
    expect(retryAfterMs('30')).toBe(30_000);
    expect(retryAfterMs('Sat, 01 Mar 2025 12:00:10 GMT', now)).toBe(10_000);
  });

  it('reads a date in the past as no delay', () => {
    expect(retryAfterMs('Sat, 01 Mar 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('takes the first of repeated headers', () => {
    expect(retryAfterMs(['7', '30'], now)).toBe(7000);
  });

  it('ignores what is not a delay', () => {
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('  ', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs(30, now)).toBeUndefined();
    expect(retryAfterMs([], now)).toBeUndefined();
  });
});
