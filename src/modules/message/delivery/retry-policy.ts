import { SendingConfig } from '../../../common/config/app-config';

/**
 * Exponential backoff with jitter: after attempt n, between half and all of base·2^(n-1), capped at the maximum,
 * and never shorter than the provider's Retry-After.
 */
export function retryDelayMs(
  config: Pick<SendingConfig, 'retryBaseMs' | 'retryMaxMs'>,
  attemptsMade: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(config.retryMaxMs, config.retryBaseMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
